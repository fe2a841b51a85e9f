"""The README's commands and example are what CI and users run; the CLI works."""

import pathlib
import re

import pytest
from conftest import script

from keras_symmetry import checks, cli, experiments, zoo
from keras_symmetry.hub import remote

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_readme_has_exactly_two_commands_and_ci_runs_both_verbatim():
    commands = [block.strip() for block in _blocks("bash")]
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    main_job, test_command = commands
    assert main_job == 'python -m pip install -e ".[jax]" && keras-symmetry demo'  # one extra: what a newcomer installs
    assert "pytest" in test_command and "torch==2.13.0" in test_command
    extract = script(".ci/readme_command.py")
    assert extract.commands(README) == commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert "first_command=$(python3 .ci/readme_command.py 1)" in ci and 'bash -c "$first_command"' in ci
    assert "test_command=$(python3 .ci/readme_command.py 2)" in ci and 'bash -c "$test_command"' in ci
    assert 'HOME="$fresh_home"' in ci and "-u KERAS_BACKEND" in ci  # a fresh machine: empty home, no backend chosen


def test_readme_command_extraction_takes_only_the_two_commands_section():
    extract = script(".ci/readme_command.py")
    text = (
        "# t\n```bash\nnot this\n```\n## Two commands (fresh clone)\n\nA:\n\n```bash\none && two\n```\n\n"
        "```bash \r\nthree\n```\n## Next\n```bash\nnot this either\n```\n"
    )
    assert extract.commands(text) == ["one && two", "three"]
    with pytest.raises(ValueError, match="one-line"):
        extract.commands("## Two commands\n```bash\na\nb\n```\n")
    with pytest.raises(ValueError, match="no section"):
        extract.commands("## Other\n```bash\na\n```\n")


def test_readme_examples_run(monkeypatch):
    sent = []
    monkeypatch.setattr(
        remote, "send", lambda folder, files, repo_id, **options: sent.append((repo_id, sorted(files))) or "c0ffee"
    )
    namespace = {}
    for example in _blocks("python"):
        exec(compile(example, "README.md", "exec"), namespace)
    assert namespace["revision"] == "c0ffee" and sent[0][0] == "me/my-digits" and "model.weights.h5" in sent[0][1]
    assert namespace["tuned"].output_shape == (None, 5)
    assert namespace["model"].count_params() == 18058
    assert tuple(namespace["x"].shape) == (128, 46, 10)
    assert namespace["classifier"].output_shape == (None, 10)


def test_check_command_passes_and_reports_every_layer(capsys):
    assert cli.main(["check"]) == 0
    out = capsys.readouterr().out
    assert f"{len(checks.CASES)} of {len(checks.CASES)} layers equivariant" in out
    assert out.count(" ok\n") == len(checks.CASES)


@pytest.mark.parametrize("argv", [["train", "--help"], ["train", "-h"], ["train"]])
def test_train_help_lists_entries_and_recipes(argv, capsys):
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert all(f"  {name} " in out for name in [*zoo.names(), *experiments.RECIPES])
    assert "recipes/*.py" in out


@pytest.mark.parametrize("name", ["u1-rnn-copy", "copy"])
def test_train_name_help_lists_the_options(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", name, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: keras-symmetry train {name}" in out and "--t-max" in out and "--smoke" in out


def test_train_unknown_name_or_option_first_is_a_usage_error(capsys):
    assert cli.main(["train", "u1-rnn-cpy"]) == 2
    assert cli.main(["train", "--smoke"]) == 2
    err = capsys.readouterr().err
    assert "Closest: u1-rnn-copy" in err and "keras-symmetry train --help lists the names" in err


def test_version_and_help(capsys):
    assert cli.main(["version"]) == 0
    assert "keras-symmetry" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "check" in capsys.readouterr().out
