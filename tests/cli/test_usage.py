"""The command line as a Unix tool: usage errors are one line plus a hint and exit 2,
help shows no placeholder types, a busy port is said before anything else."""

import os
import re
import socket
import subprocess
import sys

import pytest
import typer

from clusteratlas.cli.main import app, main


def run_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "clusteratlas", *args], capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ))


def commands():
    """Every command path of the app, groups included: ``[[], ["serve"], ["import"],
    ["import", "cbp"], …]``."""
    found = []

    def walk(command, path):
        found.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def assert_usage_error(code, err, fragment, command="clusteratlas"):
    assert code == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 2, err
    assert lines[0].startswith("Error: ")
    assert fragment in lines[0]
    assert lines[1] == f"Try '{command} --help'."


USAGE_ERRORS = [
    (["serv"], "no such command 'serv'. Did you mean 'serve'?", "clusteratlas"),
    (["mpa"], "Did you mean 'map'?", "clusteratlas"),
    (["zzz"], "no such command 'zzz'.", "clusteratlas"),
    (["import", "genesis"], "Did you mean 'genesis-", "clusteratlas import"),
    (["map"], "missing argument 'PANEL'", "clusteratlas map"),
    (["map", "p.csv"], "missing option '--out'", "clusteratlas map"),
    (["token", "create"], "missing argument 'NAME'", "clusteratlas token create"),
    (["serve", "--bogus"], "no such option: --bogus", "clusteratlas serve"),
    (["--bogus"], "no such option: --bogus", "clusteratlas"),
    (["serve", "--port", "abc"], "'abc' is not a port number", "clusteratlas serve"),
    (["serve", "--port", "70000"], "'70000' is not a port number", "clusteratlas serve"),
    (["serve", "--port"], "option '--port' requires an argument", "clusteratlas serve"),
    (["map", "p.csv", "--out", "out"], "'out' should end in .csv or .parquet",
     "clusteratlas map"),
    (["map", "p.csv", "--out", "out.xlsx"], "'out.xlsx' should end in .csv or .parquet",
     "clusteratlas map"),
    (["kd", "s.csv", "--out", "out"], "should end in .csv or .parquet", "clusteratlas kd"),
    (["convert", "cbp", "f.txt", "--out", "out"], "should end in .csv or .parquet",
     "clusteratlas convert"),
    (["brief", "district", "08435", "--out", "out"], "'out' should end in .pdf or .html",
     "clusteratlas brief"),
    (["brief", "county"], "expected district, initiative or state", "clusteratlas brief"),
    (["brief", "state", "--lang", "fr"], "'fr': expected de or en", "clusteratlas brief"),
    (["align", "--out", "a.csv", "--format", "xml"], "expected csv, json or table",
     "clusteratlas align"),
    (["map", "p.csv", "--out", "o.csv", "--shift-share", "2015-2020"], "expected START:END",
     "clusteratlas map"),
    (["map", "p.csv", "--out", "o.csv", "--year", "soon"], "'--year'", "clusteratlas map"),
    (["fetch", "genesis:1", "--param", "geo"], "expected KEY=VALUE", "clusteratlas fetch"),
    (["kd", "s.csv", "--out", "o.csv", "--all", "--industry", "25"], "not both",
     "clusteratlas kd"),
]


@pytest.mark.parametrize(("args", "fragment", "command"), USAGE_ERRORS,
                         ids=[" ".join(a) for a, _, _ in USAGE_ERRORS])
def test_usage_error_is_one_line_and_a_hint(args, fragment, command, capsys, tmp_path,
                                            monkeypatch):
    monkeypatch.chdir(tmp_path)
    if args[0] == "kd" and "--all" in args:
        (tmp_path / "s.csv").write_text("id,industry,employment,x,y\n1,25,3,0,0\n")
    code = main(args)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_usage_error(code, captured.err, fragment, command)
    assert list(tmp_path.iterdir()) in ([], [tmp_path / "s.csv"])  # nothing written


@pytest.mark.parametrize(("args", "fragment", "command"), [
    (["serv"], "Did you mean 'serve'?", "clusteratlas"),
    (["map", "--bogus"], "no such option: --bogus", "clusteratlas map"),
    (["serve", "--port", "abc"], "'abc' is not a port number", "clusteratlas serve"),
])
def test_usage_error_through_the_console_entry(args, fragment, command):
    proc = run_cli(*args)
    assert proc.stdout == ""
    assert_usage_error(proc.returncode, proc.stderr, fragment, command)


@pytest.mark.parametrize("group", [[], ["import"], ["user"], ["token"], ["registry"]],
                         ids=lambda g: " ".join(g) or "root")
def test_bare_group_prints_its_help_and_exits_2(group):
    proc = run_cli(*group)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"Usage: {' '.join(['clusteratlas', *group])} ")
    assert "Commands:" in proc.stderr


PLACEHOLDER = re.compile(r"<[A-Za-z_\[\]]+>|\{[a-z_]+\}|\[default: no-|\[required\]\s*$")


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "root")
def test_help_has_no_placeholder_types(path, capsys):
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Usage: {' '.join(['clusteratlas', *path])} ")
    assert not PLACEHOLDER.search(out), PLACEHOLDER.search(out)
    assert "╭" not in out  # no Rich panels


def test_every_argument_and_value_option_has_a_metavar():
    missing = []

    def walk(command, path):
        for param in command.params:
            takes_value = param.param_type_name == "argument" or not param.is_flag
            if takes_value and param.name != "help" and not param.metavar:
                missing.append(f"{' '.join(path)} {param.name}")
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), ["clusteratlas"])
    assert missing == []


def test_busy_port_is_said_first_with_a_port_hint(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = run_cli("serve", "--port", str(port), "--data-dir", str(tmp_path / "d"))
    assert proc.returncode == 1
    assert proc.stdout == ""  # no "running at", no "Built the demo"
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"Error: port {port} on 127.0.0.1 is in use")
    assert "--port" in lines[0]
    assert not (tmp_path / "d").exists()  # the demo was not built for nothing


def test_runtime_error_is_one_line_exit_1(tmp_path, capsys):
    assert main(["restore", "nope", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("Error: ")
