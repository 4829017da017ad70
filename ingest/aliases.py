"""Aliases officials add by hand: `DATA_DIR/aliases.yaml`, a map of alias → the unit it names.

```yaml
区府办: 上海市普陀区人民政府办公室    # a unit by its name as stored, or by any alias it has
省法院: 江苏省高院
```

`sync_aliases` checks the whole file and, only when every line is right, makes the stored
official aliases exactly the file's (one transaction); a file that is not valid YAML, names a
unit that is not stored (or names it ambiguously) or gives one alias twice changes nothing and
is answered with a message naming the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import Engine, delete, insert, select

from gongkai import db

FILE_NAME = "aliases.yaml"


@dataclass(frozen=True)
class AliasProblem:
    line: int  # 1-based; 0 for the file as a whole
    message: str  # Chinese, for officials

    def __str__(self) -> str:
        return f"第{self.line}行：{self.message}" if self.line else self.message


class _LineLoader(yaml.SafeLoader):
    """Keeps each key's line, and reports keys given twice."""


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> list[tuple[str, str, int]]:
    return [(str(loader.construct_object(k)), str(loader.construct_object(v)), k.start_mark.line + 1)
            for k, v in node.value]


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def parse_aliases(text: str) -> tuple[list[tuple[str, str, int]], list[AliasProblem]]:
    """(alias, unit as written, line) entries of an alias file, and what is wrong with it."""
    try:
        entries = yaml.load(text, Loader=_LineLoader) if text.strip() else []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return [], [AliasProblem(mark.line + 1 if mark else 0, f"不是有效的 YAML：{getattr(error, 'problem', error)}")]
    if not isinstance(entries, list):
        return [], [AliasProblem(0, "文件应是“别名: 单位名称”的列表，每行一个")]
    problems = []
    seen: dict[str, int] = {}
    for alias, _, line in entries:
        if alias in seen:
            problems.append(AliasProblem(line, f"别名“{alias}”已在第{seen[alias]}行给出，一个别名只能指一个单位"))
        seen.setdefault(alias, line)
        if len(alias.strip()) < 2:
            problems.append(AliasProblem(line, f"别名“{alias}”太短（至少两个字）"))
    return entries, problems


def resolve_units(engine: Engine, entries: list[tuple[str, str, int]]
                  ) -> tuple[list[tuple[str, str]], list[AliasProblem]]:
    """(alias, unit id) per entry, the unit named by its stored name or one of its aliases."""
    u, a = db.units.c, db.unit_aliases.c
    with engine.connect() as conn:
        by_name = {r.name: {r.id} for r in conn.execute(select(u.id, u.name))}
        for r in conn.execute(select(a.alias, a.unit_id).where(a.source == "rule")):
            by_name.setdefault(r.alias, set()).add(r.unit_id)
    resolved, problems = [], []
    for alias, unit, line in entries:
        ids = by_name.get(unit.strip(), set())
        if len(ids) == 1:
            resolved.append((alias.strip(), next(iter(ids))))
        elif ids:
            problems.append(AliasProblem(line, f"“{unit}”可指多个单位，请写出单位全称"))
        else:
            problems.append(AliasProblem(line, f"资料库中没有单位“{unit}”"))
    return resolved, problems


def check_aliases(engine: Engine, data_dir: Path) -> tuple[list[tuple[str, str]], list[AliasProblem]]:
    """The file's (alias, unit id) pairs, or what is wrong with it; nothing is written."""
    path = Path(data_dir) / FILE_NAME
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    entries, problems = parse_aliases(text)
    if problems:
        return [], problems
    return resolve_units(engine, entries)


def sync_aliases(engine: Engine, data_dir: Path) -> list[AliasProblem]:
    """Make the stored official aliases the file's; with any problem, change nothing."""
    resolved, problems = check_aliases(engine, data_dir)
    if problems:
        return problems
    a = db.unit_aliases.c
    with engine.begin() as conn:
        conn.execute(delete(db.unit_aliases).where(a.source == "official"))
        if resolved:
            conn.execute(insert(db.unit_aliases),
                         [{"alias": alias, "unit_id": unit_id, "source": "official"} for alias, unit_id in resolved])
    return []


def add_alias(engine: Engine, data_dir: Path, alias: str, unit_name: str) -> list[AliasProblem]:
    """Append one alias to the file and sync; the file is written only if the result syncs."""
    path = Path(data_dir) / FILE_NAME
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = old + ("" if not old or old.endswith("\n") else "\n") + f"{yaml.safe_dump({alias: unit_name}, allow_unicode=True)}"
    entries, problems = parse_aliases(new)
    if not problems:
        _, problems = resolve_units(engine, entries)
    if problems:
        return problems
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
    return sync_aliases(engine, data_dir)
