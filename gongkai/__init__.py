"""Shared foundations of Gongkai: settings, typed records, errors and the SQL schema."""
