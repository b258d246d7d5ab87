"""Peak memory and time of each source reader on a large generated file of its format.

Usage::

    python bench/imports.py [--mb 200] [--formats cbp,eurostat-tsv,…] [--dir /tmp]
                            [--src PATH] [--no-docs]

For each format a file of about ``--mb`` megabytes is generated (seeded; the layouts of
``shared/data/FORMATS.md``: GENESIS table CSV as 13111-07-05-4, GENESIS flat file as
13111-01-03-4, Eurostat TSV and SDMX-CSV as nama_10r_3empers, CBP as the 2018+ county
file), then read by ``clusteratlas.service.imports.parse_file`` in a fresh interpreter.
Peak memory is the process's peak resident set during the read (``VmHWM``, reset
just before it through ``/proc/self/clear_refs``) minus its resident set after the
imports and a warm-up read of a tiny file of the same format (the interpreter, the
libraries and their pools); without ``/proc``, ``ru_maxrss`` before and after.
``ru_maxrss`` alone is not used where ``/proc`` exists: Linux carries it over
``fork`` and ``exec``, so a child of a large process (pytest) would report its
parent's peak.  ``--src`` reads with another source tree (e.g. an older checkout) for a
before/after comparison.  The table goes into its own section of docs/benchmarks.md;
the generated files are deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Source readers: peak memory and time per format"

NACE = ["TOTAL", "A", "B-E", "C", "F", "G-J", "G-I", "J", "K-N", "K", "L", "M_N", "O-U",
        "O-Q", "R-U"]
WZ_LABELS = ["Land- und Forstwirtschaft, Fischerei (A)", "Produzierendes Gewerbe (B-F)",
             "Produzierendes Gewerbe ohne Baugewerbe (B-E)", "Verarbeitendes Gewerbe (C)",
             "Baugewerbe (F)", "Dienstleistungsbereiche (G-U)",
             "Handel, Gastgewerbe, Verkehr (G-I)", "Information und Kommunikation (J)",
             "Erbringung von Finanz- und Vers.leistungen (K)",
             "Grundstücks- und Wohnungswesen (L)",
             "Freiberufl,wissenschaftl. techn. Dienstl.,sonst.DL",
             "Öff.Verw.,Verteidig.,Sozialvers.,Erz.-u.Unterricht",
             "Kunst, Unterhaltung, Erholung, Priv. Haush.,usw.", "Insgesamt"]
GENESIS_HEADER = """GENESIS-Tabelle: 13111-07-05-4
Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach;;;;;;;;
Geschlecht, Nationalität und Wirtschaftszweigen - Stichtag;;;;;;;;
30.06. - Kreise u. krfr. Städte;;;;;;;;
Sozialversicherungspflichtig Beschäftigte;;;;;;;;
Sozialversicherungspfl. Beschäftigte (Arbeitsort) (Anzahl);;;;;;;;
Stichtag: 30.06.2020;;;;;;;;
;;;Nationalität;Nationalität;Nationalität;Nationalität;Nationalität;Nationalität
;;;Insgesamt;Insgesamt;Insgesamt;Ausländer(innen);Ausländer(innen);Ausländer(innen)
;;;Geschlecht;Geschlecht;Geschlecht;Geschlecht;Geschlecht;Geschlecht
;;;Insgesamt;männlich;weiblich;Insgesamt;männlich;weiblich
"""
GENESIS_FOOTER = """__________
"zu ""gesamter Tabelle"":
Deutschland: einschließlich der Personen ""Ohne Angabe/keine Zuordnung möglich""."
"© Statistische Ämter des Bundes und der Länder, Deutschland, 2021. Dieses Werk ist
lizenziert unter der Datenlizenz Deutschland - Namensnennung - Version 2.0."
Stand: 17.08.2021 / 20:27:28
"""
FFCSV_HEADER = ("statistics_code;statistics_label;time_code;time_label;time;"
                + ";".join(f"{g}_variable_code;{g}_variable_label;{g}_variable_attribute_code;"
                           f"{g}_variable_attribute_label" for g in (1, 2, 3, 4))
                + ";value;value_unit;value_variable_code;value_variable_label")
CBP_HEADER = ("fipstate,fipscty,naics,emp_nf,emp,qp1_nf,qp1,ap_nf,ap,est,n<5,n5_9,n10_19,"
              "n20_49,n50_99,n100_249,n250_499,n500_999,n1000,n1000_1,n1000_2,n1000_3,"
              "n1000_4,censtate,cencty")
NAICS = ["------", "11----", "21----", "22----", "23----", "31----", "42----", "44----",
         "48----", "51----", "52----", "53----", "54----", "55----", "56----", "61----",
         "62----", "71----", "72----", "81----", "3361//", "3363//", "5415//", "541511",
         "541512", "336111", "336390", "722511", "722513", "621111"]


def _write(path: Path, header: str, footer: str, encoding: str, target: int,
           lines: Callable[[random.Random], list[str]], seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding=encoding, newline="\n") as fh:
        fh.write(header)
        written = len(header.encode(encoding))
        while written < target:
            chunk = "".join(line + "\n" for line in lines(rng))
            fh.write(chunk)
            written += len(chunk.encode(encoding))
        fh.write(footer)


def _cell(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return ": "
    if roll < 0.17:
        return ": c"
    value = f"{rng.uniform(0, 500):.2f}"
    return value + (" p" if roll > 0.9 else " e" if roll > 0.88 else " ")


def generate(fmt: str, path: Path, target: int, seed: int = 14) -> None:
    """Write a file of about ``target`` bytes in the layout of ``fmt``."""
    counter = iter(range(10**9))
    if fmt == "genesis-table":
        def lines(rng: random.Random) -> list[str]:
            n = next(counter)
            code = f"{n // 100:05d}{n % 100:03d}"
            name = f"      Gemeinde {n}, Landkreis"
            out = []
            for label in WZ_LABELS:
                cells = [rng.choice(("-", ".")) if rng.random() < 0.05 else
                         str(rng.randrange(0, 90000)) for _ in range(6)]
                out.append(f"{code};{name};{label};{';'.join(cells)}")
            return out
        _write(path, GENESIS_HEADER, GENESIS_FOOTER, "latin-1", target, lines, seed)
    elif fmt == "genesis-ffcsv":
        def lines(rng: random.Random) -> list[str]:
            n = next(counter)
            date = f"{2000 + n // 4800}-{(n // 400) % 12 + 1:02d}-30"
            region = f"{(n % 400) + 1001:05d}"
            out = []
            for nat, nat_label in (("", "Insgesamt"), ("NATA", "Ausländer")):
                for ges, ges_label in (("", "Insgesamt"), ("GESM", "männlich"),
                                       ("GESW", "weiblich")):
                    value = "-" if rng.random() < 0.05 else str(rng.randrange(0, 90000))
                    out.append(
                        f"13111;Statistik der sozialversicherungspflichtig Beschäftigten;STAG;"
                        f"Stichtag;{date};KREISE;Kreise und kreisfreie Städte;{region};"
                        f"Kreis {region};NAT;Nationalität;{nat};{nat_label};GES;Geschlecht;"
                        f"{ges};{ges_label};WZ08U6;WZ2008;WZ08-C;Verarbeitendes Gewerbe;"
                        f"{value};Anzahl;ERW032;Sozialversicherungspfl. Beschäftigte "
                        "(Arbeitsort)")
            return out
        header = "\ufeff" + FFCSV_HEADER + "\n"
        _write(path, header, "", "utf-8", target, lines, seed)
    elif fmt == "eurostat-tsv":
        periods = [str(y) for y in range(1995, 2024)]

        def lines(rng: random.Random) -> list[str]:
            n = next(counter)
            geo = f"X{n:06d}"
            return [f"A,THS,{w},{nace},{geo}\t" + "\t".join(_cell(rng) for _ in periods)
                    for w in ("EMP", "SAL") for nace in NACE]
        _write(path, "freq,unit,wstatus,nace_r2,geo\\TIME_PERIOD\t" + "\t".join(periods)
               + "\n", "", "utf-8", target, lines, seed)
    elif fmt == "eurostat-sdmx":
        def lines(rng: random.Random) -> list[str]:
            n = next(counter)
            geo = f"X{n:06d}"
            out = []
            for nace in NACE:
                for year in range(1995, 2024):
                    cell = _cell(rng)
                    value, _, flag = cell.partition(" ")
                    out.append(f"ESTAT:NAMA_10R_3EMPERS(1.0),22/05/26 11:00:00,A,THS,EMP,"
                               f"{nace},{geo},{year},{'' if value == ':' else value},{flag}")
            return out
        _write(path, "DATAFLOW,LAST UPDATE,freq,unit,wstatus,nace_r2,geo,TIME_PERIOD,"
               "OBS_VALUE,OBS_FLAG\n", "", "utf-8", target, lines, seed)
    elif fmt == "cbp":
        def lines(rng: random.Random) -> list[str]:
            n = next(counter)
            state, county = f"{n // 1000 % 100:02d}", f"{n % 1000:03d}"
            out = []
            for naics in NAICS:
                flag = rng.choice("GGGGGHHJDS")
                emp = 0 if flag in "DS" else rng.randrange(0, 50000)
                sizes = ",".join(str(rng.randrange(0, 200)) for _ in range(13))
                out.append(f'"{state}","{county}","{naics}","{flag}",{emp},"{flag}",'
                           f'{emp * 11},"{flag}",{emp * 45},{rng.randrange(1, 900)},{sizes},'
                           f'"{state}","{county}"')
            return out
        _write(path, CBP_HEADER + "\n", "", "utf-8", target, lines, seed)
    else:
        raise SystemExit(f"unknown format {fmt}")


FORMATS = ["genesis-table", "genesis-ffcsv", "eurostat-tsv", "eurostat-sdmx", "cbp"]
NAMES = {"genesis-table": "13111-07-05-4_bench.csv", "genesis-ffcsv": "13111-01-03-4_1_de_flat.csv",
         "eurostat-tsv": "nama_10r_3empers.tsv", "eurostat-sdmx": "nama_10r_3empers.csv",
         "cbp": "cbp18co.txt"}

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from clusteratlas.service.imports import parse_file

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return None

source, small, big = sys.argv[1:4]
parse_file(source, small)  # warm-up: lazy imports, pools
try:  # reset the peak to the present (Linux): the interpreter's own baseline
    Path("/proc/self/clear_refs").write_text("5")
    base = status("VmRSS")
except OSError:
    base = None
if base is None:  # ru_maxrss also counts a large parent's RSS (kept over fork and exec)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
parsed = parse_file(source, big)
seconds = time.perf_counter() - start
peak = status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": len(parsed.frame), "seconds": seconds,
                  "base_kb": base, "peak_kb": peak,
                  "frame_bytes": int(parsed.frame.memory_usage(deep=False).sum())}))
"""


def measure(fmt: str, path: Path, small: Path, src: Path | None = None) -> dict[str, float]:
    """Read ``path`` in a fresh interpreter; peak memory growth over the baseline."""
    env = dict(os.environ, PYTHONPATH=str(src or ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", _CHILD, fmt, str(small), str(path)],
                         capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{fmt}: {out.stderr.strip().splitlines()[-1:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    size = path.stat().st_size
    peak = (result["peak_kb"] - result["base_kb"]) * 1024
    return {"file_mb": size / 1e6, "seconds": result["seconds"], "peak_mb": peak / 1e6,
            "ratio": peak / size, "rows": result["rows"], "frame_mb": result["frame_bytes"] / 1e6}


def run(formats: list[str], mb: float, folder: Path, src: Path | None = None,
        ) -> dict[str, dict[str, float]]:
    results = {}
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        for fmt in formats:
            big, small = Path(tmp) / NAMES[fmt], Path(tmp) / f"small_{NAMES[fmt]}"
            generate(fmt, small, 20_000)
            generate(fmt, big, int(mb * 1e6))
            results[fmt] = measure(fmt, big, small, src)
            big.unlink()
            print(fmt, json.dumps({k: round(v, 3) for k, v in results[fmt].items()}), flush=True)
    return results




def write_docs(results: dict[str, dict[str, float]], before: str) -> None:
    from _docs import machine_line  # bench/ is on the path when run as a script

    rows = ["| format | file MB | rows | seconds | peak MB | peak / file | frame MB |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for fmt, r in results.items():
        rows.append(f"| {fmt} | {r['file_mb']:.0f} | {r['rows']:,.0f} | {r['seconds']:.1f} | "
                    f"{r['peak_mb']:.0f} | {r['ratio']:.2f} | {r['frame_mb']:.0f} |")
    text = "\n".join([
        SECTION, "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine_line()} (a shared machine: times "
        "vary), by `python bench/imports.py`.",
        "Each reader ran in a fresh interpreter on a generated file of its format "
        "(seeded; the layouts of `shared/data/FORMATS.md`). *Peak MB* is the peak resident "
        "set during the read (`VmHWM`, reset before it) minus the resident set after the "
        "imports and a warm-up read of a tiny file; "
        "*frame MB* is the size of the resulting frame (text columns as categorical codes).",
        "", *rows, "", before, ""])
    docs = ROOT / "docs" / "benchmarks.md"
    current = docs.read_text(encoding="utf-8") if docs.exists() else "# Benchmarks\n"
    if SECTION in current:
        head, _, rest = current.partition(SECTION)
        nxt = rest.find("\n## ")
        current = head + text + (rest[nxt + 1:] if nxt >= 0 else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    docs.write_text(current.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--src", type=Path, default=None,
                        help="read with this source tree instead (e.g. an older checkout)")
    parser.add_argument("--before", default="", help="a paragraph on the earlier readers")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    results = run(args.formats.split(","), args.mb, args.dir, args.src)
    if not args.no_docs:
        write_docs(results, args.before)


if __name__ == "__main__":
    main()
