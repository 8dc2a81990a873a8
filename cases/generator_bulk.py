"""Fast bulk generation (benchmarks): COPY into PostgreSQL, rings by in-memory union-find.

The rings come out as the incremental path would build them: components over the links of
linkable indicators (not benign, under the suspect threshold).
"""

import io
import time

from django.db import connection, transaction
from django.utils import timezone

from .generator import context, plan_cases
from .linking import suspect_threshold
from .models import BenignIndicator, Case, CaseIndicator, CaseSequence, Indicator, Ring, Victim
from .normalize import normalize_indicator
from .priority import is_vulnerable, priority_compute


def _copy(table: str, columns: list[str], rows) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v).replace("\t", " ").replace("\n", " ") for v in row))
        buf.write("\n")
    buf.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
        return cursor.fetchone()[0]


def _set_seq(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}")


class _UF:
    def __init__(self):
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, x: int) -> int:
        p = self.parent
        root = x
        while p[root] != root:
            root = p[root]
        while p[x] != root:
            p[x], x = root, p[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def write_bulk(n: int, *, seed: int = 7, chunk: int = 100_000, log=print) -> dict:
    """Generate ``n`` cases with COPY. Returns timings in seconds."""
    t0 = time.perf_counter()
    regions, reporter, typologies, benign = context()
    region_by_id = {r.pk: r for r in regions}
    benign_set = set(BenignIndicator.objects.values_list("kind", "value"))
    threshold = suspect_threshold()
    now = timezone.now()
    cases, links = [], []
    ind_index: dict[tuple[str, str], int] = {}
    ind_rows: list[list] = []  # kind, value, domain, count, first, last
    uf = _UF()
    case_node: list[int] = []
    for data in plan_cases(n, seed=seed, regions=list(region_by_id), typologies=typologies, benign=benign):
        ci = len(cases)
        cases.append(data)
        case_node.append(uf.add())
        seen = set()
        for item in data["indicators"]:
            kind, raw = item["kind"], item["value"]
            # The generator's own phones and cards are already canonical: skip the slow parser.
            plain = (kind == "phone" and len(raw) == 11 and raw[0] == "1" and raw.isdigit()) or (
                kind == "account" and raw.isdigit()) or kind == "social"
            norm = None if plain else normalize_indicator(kind, raw)
            value = norm.value if norm else ("+86" + raw if kind == "phone" else raw)
            key = (kind, value)
            ii = ind_index.get(key)
            if ii is None:
                ii = ind_index[key] = len(ind_rows)
                ind_rows.append([kind, value, norm.registrable_domain if norm else "", 0, data["occurred_at"], data["occurred_at"], uf.add()])
            row = ind_rows[ii]
            if ii not in seen:
                seen.add(ii)
                row[3] += 1
                row[4] = min(row[4], data["occurred_at"])
                row[5] = max(row[5], data["occurred_at"])
            links.append((ci, ii, item["role"], item["value"]))
    t_plan = time.perf_counter() - t0
    log(f"planned {len(cases)} cases, {len(ind_rows)} indicators, {len(links)} links in {t_plan:.1f}s")

    def linkable(row) -> bool:
        kind, value, domain = row[0], row[1], row[2]
        return (kind, value) not in benign_set and (kind, domain) not in benign_set and row[3] < threshold

    for ci, ii, _role, _raw in links:
        if linkable(ind_rows[ii]):
            uf.union(case_node[ci], ind_rows[ii][6])
    comp_of_case = [uf.find(node) for node in case_node]
    ring_of_root: dict[int, int] = {}
    ring_base = _next_id(Ring)
    ring_agg: list[list] = []
    case_ring = []
    for ci, root in enumerate(comp_of_case):
        r = ring_of_root.get(root)
        if r is None:
            r = ring_of_root[root] = len(ring_agg)
            ring_agg.append([0, 0, None, None])
        agg, d = ring_agg[r], cases[ci]
        agg[0] += 1
        agg[1] += d["loss_amount"]
        agg[2] = d["occurred_at"] if agg[2] is None else min(agg[2], d["occurred_at"])
        agg[3] = d["occurred_at"] if agg[3] is None else max(agg[3], d["occurred_at"])
        case_ring.append(r)
    t_uf = time.perf_counter() - t0 - t_plan
    log(f"union-find: {len(ring_agg)} rings in {t_uf:.1f}s")

    with transaction.atomic():
        _copy(Ring._meta.db_table, ["id", "case_count", "total_loss", "first_occurred_at", "last_occurred_at", "created_at", "updated_at"],
              ((ring_base + i, a[0], a[1], a[2].isoformat(), a[3].isoformat(), now.isoformat(), now.isoformat()) for i, a in enumerate(ring_agg)))
        case_base = _next_id(Case)
        seqs: dict[tuple[str, int], int] = dict(
            ((s.region_code, s.year), s.last) for s in CaseSequence.objects.all()
        )
        typ_ids = {code: t.pk for code, t in typologies.items()}

        def case_rows():
            for ci, d in enumerate(cases):
                region = region_by_id[d["region_id"]]
                year = timezone.localtime(d["reported_at"]).year
                seq = seqs[(region.code, year)] = seqs.get((region.code, year), 0) + 1
                size = ring_agg[case_ring[ci]][0]
                prio = priority_compute(loss_amount=d["loss_amount"], occurred_at=d["occurred_at"], ring_size=size,
                                        vulnerable=is_vulnerable(d["victims"]), now=now)
                status = "new" if ci % 10 < 4 else "triaged" if ci % 10 < 6 else "investigating" if ci % 10 < 7 else "closed"
                yield (case_base + ci, f"{region.code}{year}{seq:06d}", d["reported_at"].isoformat(), d["occurred_at"].isoformat(),
                       reporter[region.pk].pk, region.pk, typ_ids[d["typology"]], d["loss_amount"], d["payment_channel"], "",
                       status, prio, None, "", prio, None, ring_base + case_ring[ci], None, None, now.isoformat(), now.isoformat())

        _copy(Case._meta.db_table, ["id", "number", "reported_at", "occurred_at", "reporting_agency_id", "region_id", "typology_id",
                                    "loss_amount", "payment_channel", "narrative", "status", "priority", "priority_override",
                                    "priority_override_reason", "priority_computed", "assigned_to_id", "ring_id",
                                    "possible_duplicate_of_id", "created_by_id", "created_at", "updated_at"], case_rows())
        for (code, year), last in seqs.items():
            CaseSequence.objects.update_or_create(region_code=code, year=year, defaults={"last": last})
        _copy(Victim._meta.db_table, ["case_id", "name", "id_number", "phone", "age", "gender", "occupation", "home_region_id"],
              ((case_base + ci, v["name"], v["id_number"], "+86" + v["phone"], v["age"], v["gender"], "", None)
               for ci, d in enumerate(cases) for v in d["victims"]))
        ind_base = _next_id(Indicator)
        root_ring = {root: ring_base + r for root, r in ring_of_root.items()}
        _copy(Indicator._meta.db_table, ["id", "kind", "value", "registrable_domain", "case_count", "first_seen_at", "last_seen_at",
                                         "is_linkable", "ring_id", "needs_review", "review_reason", "flagged_at"],
              ((ind_base + i, r[0], r[1], r[2], r[3], r[4].isoformat(), r[5].isoformat(), linkable(r),
                root_ring.get(uf.find(r[6])) if linkable(r) else None, r[3] >= threshold, "", None)
               for i, r in enumerate(ind_rows)))
        seen_links = set()

        def link_rows():
            for ci, ii, role, raw in links:
                if (ci, ii, role) in seen_links:
                    continue
                seen_links.add((ci, ii, role))
                yield (case_base + ci, ind_base + ii, role, raw, now.isoformat())

        _copy(CaseIndicator._meta.db_table, ["case_id", "indicator_id", "role", "raw_value", "created_at"], link_rows())
        for model in (Ring, Case, Indicator):
            _set_seq(model)
    t_write = time.perf_counter() - t0 - t_plan - t_uf
    log(f"COPY written in {t_write:.1f}s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"plan": t_plan, "union_find": t_uf, "write": t_write, "total": time.perf_counter() - t0,
            "cases": len(cases), "indicators": len(ind_rows), "links": len(seen_links), "rings": len(ring_agg)}
