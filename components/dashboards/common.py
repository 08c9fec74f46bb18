"""Shared pieces of the platform dashboards: datasource references, typed query builders (the SDK has
none for SQL), the tenant variables and their filters, panel factories with the house defaults, and
the renderer that turns a dashboard builder into reproducible classic dashboard JSON.
"""

from __future__ import annotations

import json
import typing

from grafana_foundation_sdk.builders import bargauge, dashboard, logs, loki, prometheus, stat, table, tempo
from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.builders import text, timeseries
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models.text import TextMode

from components import constants as c

# Plugin ids of the provisioned datasources; panels and queries find them by uid.
DATASOURCE_TYPES = {
    c.LOKI: "loki",
    c.TEMPO: "tempo",
    c.PROMETHEUS: "prometheus",
    c.POSTGRES_DATASOURCE_UID: "grafana-postgresql-datasource",  # the id since Grafana 10.2.3
}
TAGS = ("platform", "adr-031")
NONE = "none"  # the variable value that stands for "no tenant/engagement recorded" (NULL in SQL)


def datasource(uid: str) -> cm.DataSourceRef:
    return cm.DataSourceRef(type_val=DATASOURCE_TYPES[uid], uid=uid)


# --- queries -----------------------------------------------------------------------------------------

class SqlQuery(cogvariants.Dataquery):
    """A Postgres panel query as Grafana's SQL datasources store it (code mode, raw SQL)."""

    def __init__(self, raw_sql: str = "", fmt: str = "table", ref_id: str = "A") -> None:
        self.raw_sql, self.format, self.ref_id = raw_sql, fmt, ref_id
        self.datasource = datasource(c.POSTGRES_DATASOURCE_UID)

    def to_json(self) -> dict[str, object]:
        return {"datasource": self.datasource, "editorMode": "code", "format": self.format,
                "rawQuery": True, "rawSql": self.raw_sql, "refId": self.ref_id}


class Sql(cogbuilder.Builder[SqlQuery]):
    """Builder for SqlQuery. Whitespace runs collapse to one space, so write no `--` comments."""

    def __init__(self, raw_sql: str, fmt: str = "table") -> None:
        self._internal = SqlQuery(" ".join(raw_sql.split()), fmt)  # one line: stable and greppable

    def build(self) -> SqlQuery:
        return self._internal

    def ref_id(self, ref_id: str) -> typing.Self:
        self._internal.ref_id = ref_id
        return self


def sql(raw_sql: str) -> Sql:
    """A query whose rows are a table (stat, table and bar gauge panels)."""
    return Sql(raw_sql, "table")


def series(raw_sql: str) -> Sql:
    """A query in Grafana's long time-series shape: a `time` column, a `metric` name and values."""
    return Sql(raw_sql, "time_series")


def promql(expr: str, legend: str = "", instant: bool = False) -> prometheus.Dataquery:
    query = prometheus.Dataquery().expr(expr).datasource(datasource(c.PROMETHEUS)).legend_format(legend or "__auto")
    return query.instant() if instant else query.range()


def quantile_query(buckets: str, quantile: float, by: str = "") -> prometheus.Dataquery:
    """A histogram quantile over `buckets` (a selector of *_bucket series), optionally per label `by`."""
    grouping = f"le, {by}" if by else "le"
    legend = f"p{round(quantile * 100)}" + (f" {{{{{by}}}}}" if by else "")
    return promql(f"histogram_quantile({quantile}, sum by ({grouping}) (rate({buckets}[$__rate_interval])))", legend)


def logql(expr: str, legend: str = "", max_lines: int | None = None) -> loki.Dataquery:
    query = loki.Dataquery().expr(expr).datasource(datasource(c.LOKI))
    if legend:
        query = query.legend_format(legend)
    return query.max_lines(max_lines) if max_lines else query


def traceql(query: str, limit: int = 20) -> tempo.TempoQuery:
    return tempo.TempoQuery().datasource(datasource(c.TEMPO)).query_type("traceql").query(query).limit(limit)


# --- tenant variables and filters -------------------------------------------------------------------

# SQL panels keep rows whose tenant columns are NULL reachable through the "none" option, so "All"
# really is every row (LLM calls and agent runs may have no engagement).
SQL_TENANT_FILTER = (f"COALESCE(client_account_id::text, '{NONE}') IN ($client_account_id) "
                     f"AND COALESCE(engagement_id::text, '{NONE}') IN ($engagement_id)")
PROM_TENANT_MATCHERS = 'client_account_id=~"$client_account_id", engagement_id=~"$engagement_id"'


def all_selected() -> dm.VariableOption:
    return dm.VariableOption(selected=True, text="All", value="$__all")


def sql_tenant_variables(table_name: str, time_filtered: bool) -> list[dashboard.QueryVariable]:
    """client_account_id and engagement_id from the dashboard's own table; engagement follows client.
    Time-filtered tables list the tenants active in the time range (uses the created_at index)."""
    window = ["$__timeFilter(created_at)"] if time_filtered else []
    refresh = dm.VariableRefresh.ON_TIME_RANGE_CHANGED if time_filtered else dm.VariableRefresh.ON_DASHBOARD_LOAD

    def distinct(column: str, conditions: list[str]) -> str:
        # "none" is always an option, so a variable is never empty and `IN ($var)` always parses.
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return (f"SELECT '{NONE}' UNION SELECT COALESCE({column}::text, '{NONE}') FROM {table_name}{where} "
                "ORDER BY 1")

    clients = distinct("client_account_id", window)
    engagements = distinct("engagement_id", [f"COALESCE(client_account_id::text, '{NONE}') IN ($client_account_id)",
                                             *window])
    return [_tenant_variable(name, label, query, datasource(c.POSTGRES_DATASOURCE_UID), refresh)
            for name, label, query in (("client_account_id", "Client account", clients),
                                       ("engagement_id", "Engagement", engagements))]


def loki_tenant_variables(selector: str) -> list:
    """The same two filters from Loki, for dashboards that must work without Postgres. client_account_id is a
    stream label: a multi-value variable whose "All" is `.*`, so lines without the label stay visible.
    engagement_id is structured metadata (c.LOG_STRUCTURED_METADATA), which Loki's label-values API does not
    list: a text box matched as a substring, empty for all."""
    client = _tenant_variable("client_account_id", "Client account",
                              f"label_values({selector}, client_account_id)", datasource(c.LOKI),
                              dm.VariableRefresh.ON_TIME_RANGE_CHANGED).all_value(".*")
    engagement = dashboard.TextBoxVariable("engagement_id").label("Engagement contains").default_value("")
    return [client, engagement]


def _tenant_variable(name: str, label: str, query: str, source: cm.DataSourceRef,
                     refresh: dm.VariableRefresh) -> dashboard.QueryVariable:
    return (dashboard.QueryVariable(name).label(label).datasource(source).query(query).refresh(refresh)
            .multi(True).include_all(True).current(all_selected()).sort(dm.VariableSort.ALPHABETICAL_ASC)
            .allow_custom_value(False))


# --- panels -----------------------------------------------------------------------------------------

# The query builders in use; each has ref_id() and builds a query with a datasource reference.
Target = Sql | prometheus.Dataquery | loki.Dataquery | tempo.TempoQuery


def _with_targets(panel, targets: tuple[Target, ...], description: str, w: int, h: int):
    """The panel's datasource is its first query's; queries get refIds A, B, ... in order."""
    panel = panel.datasource(targets[0].build().datasource)
    for index, target in enumerate(targets):
        panel = panel.with_target(target.ref_id(chr(ord("A") + index)))
    if description:
        panel = panel.description(description)
    return panel.span(w).height(h)


def timeseries_panel(title: str, unit: str, *targets: Target, description: str = "", w: int = 12, h: int = 8,
                     bars: bool = False, stacked: bool = False) -> timeseries.Panel:
    panel = timeseries.Panel().title(title).unit(unit).fill_opacity(80 if bars else 30 if stacked else 10)
    panel = panel.legend(cb.VizLegendOptions().display_mode(cm.LegendDisplayMode.TABLE).show_legend(True)
                         .placement(cm.LegendPlacement.BOTTOM).calcs(["sum"] if bars else ["mean", "max"]))
    if bars:
        panel = panel.draw_style(cm.GraphDrawStyle.BARS)
    if stacked:
        panel = panel.stacking(cb.StackingConfig().mode(cm.StackingMode.NORMAL))
    return _with_targets(panel, targets, description, w, h)


def stat_panel(title: str, unit: str, *targets: Target, description: str = "", w: int = 6, h: int = 4,
               steps: list[dm.Threshold] | None = None) -> stat.Panel:
    panel = (stat.Panel().title(title).unit(unit).graph_mode(cm.BigValueGraphMode.NONE)
             .reduce_options(cb.ReduceDataOptions().values(False).calcs(["lastNotNull"])))
    panel = panel.color_mode(cm.BigValueColorMode.VALUE if steps else cm.BigValueColorMode.NONE)
    if steps:
        panel = panel.thresholds(thresholds(steps))
    return _with_targets(panel, targets, description, w, h)


def table_panel(title: str, *targets: Target, description: str = "", w: int = 24, h: int = 8) -> table.Panel:
    return _with_targets(table.Panel().title(title).filterable(True), targets, description, w, h)


def bargauge_panel(title: str, unit: str, *targets: Target, steps: list[dm.Threshold], description: str = "",
                   w: int = 12, h: int = 8, maximum: float | None = None, per_row: bool = False) -> bargauge.Panel:
    """per_row: one bar per row of a table result (SQL) instead of one per series (PromQL, last value)."""
    reduce = cb.ReduceDataOptions().values(True).calcs([]) if per_row else \
        cb.ReduceDataOptions().values(False).calcs(["lastNotNull"])
    panel = (bargauge.Panel().title(title).unit(unit).min(0).thresholds(thresholds(steps)).reduce_options(reduce)
             .display_mode(cm.BarGaugeDisplayMode.GRADIENT).orientation(cm.VizOrientation.HORIZONTAL))
    if maximum is not None:
        panel = panel.max(maximum)
    return _with_targets(panel, targets, description, w, h)


def logs_panel(title: str, *targets: Target, description: str = "", w: int = 24, h: int = 12) -> logs.Panel:
    panel = (logs.Panel().title(title).show_time(True).wrap_log_message(True).enable_log_details(True)
             .sort_order(cm.LogsSortOrder.DESCENDING).dedup_strategy(cm.LogsDedupStrategy.NONE))
    return _with_targets(panel, targets, description, w, h)


def external_link(title: str, url: str, tooltip: str) -> dashboard.DashboardLink:
    return (dashboard.DashboardLink(title).type(dm.DashboardLinkType.LINK).url(url).tooltip(tooltip)
            .icon("external link").target_blank(True))


def text_panel(title: str, markdown: str, w: int = 24, h: int = 3) -> text.Panel:
    return text.Panel().title(title).mode(TextMode.MARKDOWN).content(markdown).span(w).height(h)


def thresholds(steps: list[dm.Threshold]) -> dashboard.ThresholdsConfig:
    return dashboard.ThresholdsConfig().mode(dm.ThresholdsMode.ABSOLUTE).steps(steps)


def steps(*pairs: tuple[float | None, str]) -> list[dm.Threshold]:
    """Threshold steps from (value, color) pairs; the first value is None (from -infinity)."""
    return [dm.Threshold(value=value, color=color) for value, color in pairs]


# --- dashboards -------------------------------------------------------------------------------------

def new_dashboard(uid: str, title: str, description: str, time_from: str,
                  refresh: str = "5m") -> dashboard.Dashboard:
    """Read-only in the UI: the file is the source of truth and Grafana overwrites UI edits. SQL
    dashboards refresh every 5 minutes so that open browsers do not load the platform database."""
    return (dashboard.Dashboard(title).uid(uid).description(description).tags(list(TAGS)).readonly()
            .time(time_from, "now").timezone("browser").refresh(refresh)
            .tooltip(dm.DashboardCursorSync.CROSSHAIR))


def assemble(board: dashboard.Dashboard, variables: list, panels: list) -> dashboard.Dashboard:
    """Adds the variables, then the panels and rows in reading order (the SDK lays them out left to right)."""
    for variable in variables:
        board = board.with_variable(variable)
    for item in panels:
        board = board.with_row(item) if isinstance(item, dashboard.Row) else board.with_panel(item)
    return board


def render(builder: dashboard.Dashboard) -> str:
    """Classic dashboard JSON, byte-identical across runs: fixed panel ids in layout order, sorted keys."""
    model = builder.build()
    # Grafana reads `templating.list` and `annotations.list` as lists; it adds its built-in annotation.
    model.templating = model.templating or dm.DashboardDashboardTemplating()
    model.templating.list_val = model.templating.list_val or []
    model.annotations = model.annotations or dm.AnnotationContainer()
    model.annotations.list_val = model.annotations.list_val or []
    next_id = 1
    for panel in model.panels or []:
        for item in [panel, *(getattr(panel, "panels", None) or [])]:
            item.id_val, next_id = next_id, next_id + 1
    return json.dumps(model, cls=JSONEncoder, indent=2, sort_keys=True) + "\n"
