"""Grafana's expansion of a PostgreSQL panel or alert query, reproduced so the SQL can run for real.

Derived from Grafana's documentation: variable syntax
(https://grafana.com/docs/grafana/latest/dashboards/variables/variable-syntax/), global variables
(https://grafana.com/docs/grafana/latest/dashboards/variables/add-template-variables/#global-variables) and
the PostgreSQL data source's macros
(https://grafana.com/docs/grafana/latest/datasources/postgres/query-editor/#macros).
Same order as Grafana: the browser replaces dashboard variables (`$var`, `${var:format}`, `[[var]]`) and
globals (`$__interval`, `$__from`, ...); then the datasource backend replaces `$__interval[_ms]`,
`$__unixEpochFrom()`/`To()` and the PostgreSQL macros (`$__timeFilter(col)`, `$__timeGroup(col, '1h')`...).
Anything Grafana would reject (an unknown macro, a bad interval) raises ValueError here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# The three documented variable forms: $var, ${var[.field][:format]} and the deprecated [[var[:format]]].
_VARIABLE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}")
# A macro call as the PostgreSQL macros page writes them: $__name(arguments), no nested parentheses.
_MACRO = re.compile(r"\$([_a-zA-Z0-9]+)\(([^)]*)\)")
_INTERVAL_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|M|y)")
_UNITS = {"ms": timedelta(milliseconds=1), "s": timedelta(seconds=1), "m": timedelta(minutes=1),
          "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1),
          "M": timedelta(days=30), "y": timedelta(days=365)}


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime
    interval: timedelta  # what Grafana derives from the range and the panel width

    @classmethod
    def last(cls, days: int = 30, interval: timedelta = timedelta(hours=1)) -> TimeRange:
        end = datetime.now(UTC).replace(microsecond=0)
        return cls(end - timedelta(days=days), end, interval)


@dataclass(frozen=True)
class Selection:
    """A dashboard variable's current value and the parts of its definition that decide formatting."""

    values: tuple[str, ...]
    multi: bool = False
    include_all: bool = False
    all_value: str | None = None  # a custom "All" value is inserted as it is
    is_all: bool = False


def expand(sql: str, selections: Mapping[str, Selection], time_range: TimeRange) -> str:
    """The SQL Grafana would send to PostgreSQL for this query."""
    sql = _VARIABLE.sub(lambda m: _replace_variable(m, selections, time_range), sql)
    sql = sql.replace("$__interval_ms", str(_ms(time_range.interval)))
    sql = sql.replace("$__interval", format_interval(time_range.interval))
    sql = _MACRO.sub(lambda m: _replace_macro(m, time_range), sql)
    leftover = re.search(r"\$__\w+", sql)
    if leftover:
        raise ValueError(f"unsupported Grafana macro or variable {leftover.group(0)!r}")
    return sql


def options_from_rows(header: Sequence[str], rows: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """A query variable's options from its query result, as Grafana builds them."""
    if "__value" in header:
        column = list(header).index("__value")
        values = [row[column] for row in rows]
    else:  # every cell of every column becomes an option
        values = [cell for row in rows for cell in row]
    return tuple(dict.fromkeys(values))  # de-duplicated, first occurrence kept


def parse_interval(text: str) -> timedelta:
    """gtime.ParseInterval: '5m', '1h', '1h30m', '7d', '1w', ..."""
    text = text.strip().strip("'")
    parts = _INTERVAL_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"error parsing interval {text!r}")
    return sum((int(n) * _UNITS[u] for n, u in parts), timedelta())


def format_interval(interval: timedelta) -> str:
    """gtime.FormatInterval: the largest whole unit, as Grafana prints `$__interval`."""
    for unit in ("y", "d", "h", "m", "s", "ms"):
        if interval >= _UNITS[unit]:
            return f"{interval // _UNITS[unit]}{unit}"
    return "1ms"


def _ms(delta: timedelta) -> int:
    return delta // timedelta(milliseconds=1)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(interval: timedelta) -> str:
    seconds = interval.total_seconds()
    return str(int(seconds)) if seconds.is_integer() else repr(seconds)


def _replace_variable(match: re.Match, selections: Mapping[str, Selection], time_range: TimeRange) -> str:
    name = match.group(1) or match.group(2) or match.group(4)
    fmt = match.group(3) or match.group(6)
    if match.group(5):
        raise ValueError(f"variable field paths are not supported: {match.group(0)!r}")
    if name in selections:
        return _format(selections[name], fmt)
    global_value = _global(name, fmt, time_range)
    return match.group(0) if global_value is None else global_value  # macros are the backend's


def _global(name: str, fmt: str | None, tr: TimeRange) -> str | None:
    if name in ("__from", "__to"):
        moment = tr.start if name == "__from" else tr.end
        if fmt in ("date", "date:iso"):
            return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if fmt == "date:seconds":
            return str(_epoch(moment))
        if fmt is None:
            return str(_epoch(moment) * 1000)
        raise ValueError(f"unsupported format {fmt!r} for ${name}")
    span = tr.end - tr.start
    return {"__interval": format_interval(tr.interval), "__interval_ms": str(_ms(tr.interval)),
            "__range": format_interval(span), "__range_s": str(int(span.total_seconds())),
            "__range_ms": str(_ms(span))}.get(name)


def _format(selection: Selection, fmt: str | None) -> str:
    if selection.is_all and selection.all_value is not None and fmt not in ("text", "queryparam"):
        return selection.all_value
    values = selection.values
    if fmt is None:  # the SQL datasources' own interpolateVariable
        if len(values) == 1 and not (selection.multi or selection.include_all):
            return values[0].replace("'", "''")
        return ",".join(_sql_literal(v) for v in values)
    if fmt == "sqlstring":
        return ",".join(_sql_literal(v) for v in values)
    if fmt in ("csv", "raw"):
        return ",".join(values)
    if fmt == "pipe":
        return "|".join(values)
    if fmt == "singlequote":
        return ",".join("'" + v.replace("'", "\\'") + "'" for v in values)
    if fmt == "doublequote":
        return ",".join('"' + v.replace('"', '\\"') + '"' for v in values)
    if fmt == "text":
        return "All" if selection.is_all else " + ".join(values)
    raise ValueError(f"unsupported variable format {fmt!r}")


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _replace_macro(match: re.Match, tr: TimeRange) -> str:
    name = match.group(1)
    args = [arg.strip() for arg in match.group(2).split(",")]
    # Grafana before 5.3 aliased $__timeGroup itself; a comma right after it still means the alias form.
    if name == "__timeGroup" and match.string[match.end():match.end() + 1] == ",":
        name = "__timeGroupAlias"
    return _macro(name, args, tr)


def _macro(name: str, args: list[str], tr: TimeRange) -> str:
    column = args[0]
    if name in ("__unixEpochFrom", "__unixEpochTo", "__unixEpochNanoFrom", "__unixEpochNanoTo",
                "__timeFrom", "__timeTo"):
        moment = tr.start if name.endswith("From") else tr.end
        if name.startswith("__time"):
            return f"'{_rfc3339(moment)}'"
        return str(_epoch(moment) * (10**9 if "Nano" in name else 1))
    if not column:
        raise ValueError(f"missing time column argument for macro ${name}")
    if name == "__time":
        return f'{column} AS "time"'
    if name == "__timeEpoch":
        return f'extract(epoch from {column}) as "time"'
    if name == "__timeFilter":
        return f"{column} BETWEEN '{_rfc3339(tr.start)}' AND '{_rfc3339(tr.end)}'"
    if name in ("__unixEpochFilter", "__unixEpochNanoFilter"):
        scale = 10**9 if "Nano" in name else 1
        return f"{column} >= {_epoch(tr.start) * scale} AND {column} <= {_epoch(tr.end) * scale}"
    if name in ("__timeGroup", "__timeGroupAlias", "__unixEpochGroup", "__unixEpochGroupAlias"):
        if len(args) not in (2, 3):
            raise ValueError(f"macro ${name} needs a time column, an interval and an optional fill value")
        if len(args) == 3:
            _check_fill(args[2])
        seconds = _seconds(parse_interval(args[1]))
        if name.startswith("__timeGroup"):
            group = f"floor(extract(epoch from {column})/{seconds})*{seconds}"
        else:
            group = f"floor(({column})/{seconds})*{seconds}"
        return group + (' AS "time"' if name.endswith("Alias") else "")
    raise ValueError(f"unknown macro ${name}")


def _check_fill(fill: str) -> None:
    # sqleng.SetupFillmode: NULL, previous or a number.
    if fill.lower() in ("null", "previous"):
        return
    try:
        float(fill)
    except ValueError:
        raise ValueError(f"error parsing fill value {fill!r}") from None
