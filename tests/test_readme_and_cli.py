"""The README's commands and example are what CI and users run; the CLI works."""

import pathlib
import re

import pytest

from keras_symmetry import checks, cli

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_command():
    commands = [block.strip() for block in _blocks("bash")]
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    main_job, test_command = commands
    assert "keras-symmetry check" in main_job
    assert "pytest" in test_command and "torch==2.13.0" in test_command
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci.splitlines()


def test_readme_examples_run():
    namespace = {}
    for example in _blocks("python"):
        exec(compile(example, "README.md", "exec"), namespace)
    assert namespace["model"].count_params() == 18058
    assert tuple(namespace["x"].shape) == (128, 46, 10)
    assert namespace["classifier"].output_shape == (None, 10)


def test_check_command_passes_and_reports_every_layer(capsys):
    assert cli.main(["check"]) == 0
    out = capsys.readouterr().out
    assert f"{len(checks.CASES)} of {len(checks.CASES)} layers equivariant" in out
    assert out.count(" ok\n") == len(checks.CASES)


def test_version_and_help(capsys):
    assert cli.main(["version"]) == 0
    assert "keras-symmetry" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "check" in capsys.readouterr().out
