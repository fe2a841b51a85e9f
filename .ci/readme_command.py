"""Print one of the README's two commands, verbatim: the N-th ```bash block of its "## Two commands" section.

    python .ci/readme_command.py 1    # the first command: install + the main job (`keras-symmetry demo`)
    python .ci/readme_command.py 2    # the test command: install + the suite on all three backends

`.ci/run` runs both exactly as a reader copies them, so a README change that breaks either turns CI red;
`tests/test_readme_and_cli.py` checks that this finds the commands the README shows.
"""

import pathlib
import re
import sys

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## Two commands"


def commands(text):
    """The one-line commands of the README's "Two commands" section, in order."""
    start = next((m for m in re.finditer(r"^## .*$", text, flags=re.M) if m.group(0).startswith(SECTION)), None)
    if start is None:
        raise ValueError(f"README.md has no section starting with {SECTION!r}.")
    following = re.search(r"^## ", text[start.end() :], flags=re.M)
    section = text[start.end() : start.end() + following.start() if following else len(text)]
    blocks = [block.strip() for block in re.findall(r"^```bash[ \t]*\r?\n(.*?)^```", section, flags=re.M | re.S)]
    if not blocks or any(not block or "\n" in block for block in blocks):
        raise ValueError(f"README.md's {SECTION!r} section must hold one-line ```bash blocks; found {blocks!r}.")
    return blocks


def main(argv):
    number = int(argv[1]) if len(argv) > 1 else 1
    path = pathlib.Path(argv[2]) if len(argv) > 2 else README
    found = commands(path.read_text())
    if not 1 <= number <= len(found):
        raise SystemExit(f"{path} has {len(found)} commands under {SECTION!r}; asked for number {number}.")
    print(found[number - 1])


if __name__ == "__main__":
    main(sys.argv)
