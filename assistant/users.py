"""Official accounts: a YAML file of `name: bcrypt hash` the deployer writes (GONGKAI_AUTH_FILE).

`python -m assistant.users add NAME` asks for a password and adds or replaces NAME's entry;
visitors need no account (they are public users).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import bcrypt
import yaml

from gongkai.settings import Settings, get_settings


def auth_path(settings: Settings) -> Path:
    return Path(settings.auth_file) if settings.auth_file else settings.data_dir / "users.yaml"


def load_users(path: Path) -> dict[str, str]:
    """name → bcrypt hash; no file means no official accounts."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def check_password(settings: Settings, name: str, password: str) -> bool:
    """Whether `name` is an official account and `password` matches its hash."""
    stored = load_users(auth_path(settings)).get(name.strip())
    if not stored or not password:
        return False
    try:
        return bcrypt.checkpw(password.encode("utf-8")[:72], stored.encode("ascii"))
    except ValueError:  # a malformed hash in the file
        return False


def add_user(path: Path, name: str, password: str) -> None:
    """Add or replace an account; the file keeps only hashes."""
    if not name.strip() or not password:
        raise ValueError("name and password must not be empty")
    users = load_users(path)
    users[name.strip()] = bcrypt.hashpw(password.encode("utf-8")[:72], bcrypt.gensalt()).decode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(users, allow_unicode=True), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.users", description="管理工作人员账号。")
    parser.add_argument("command", choices=("add", "list"))
    parser.add_argument("name", nargs="?")
    args = parser.parse_args(argv)
    path = auth_path(get_settings())
    if args.command == "list":
        print("\n".join(load_users(path)) or "（没有账号）")
        return 0
    if not args.name:
        parser.error("add 需要账号名")
    password = getpass.getpass("密码：")
    if password != getpass.getpass("再输一次："):
        print("两次输入的密码不一致。", file=sys.stderr)
        return 1
    add_user(path, args.name, password)
    print(f"已写入 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
