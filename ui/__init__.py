"""Gongkai's Streamlit pages (presentation only); app.py is the entry point."""
