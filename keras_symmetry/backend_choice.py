"""Which Keras backend keras-symmetry runs on, decided before Keras is imported.

Keras reads `KERAS_BACKEND`, else the `backend` of its `keras.json`, once, when it
is first imported, and falls back to TensorFlow, which someone who installed only
`keras-symmetry[jax]` does not have. `keras_symmetry/__init__.py` calls `choose()`
first; the first rule that applies decides:

1. Keras is already imported: its backend stands (nothing here changes it).
2. `KERAS_BACKEND` is set: that backend.
3. `keras.json` (`$KERAS_HOME/keras.json`, else `~/.keras/keras.json`) names a
   backend and is not Keras' untouched default file: that backend.
4. Otherwise the first installed of jax, torch and tensorflow, exported as
   `KERAS_BACKEND` for this process and its children.

A backend named in 2 or 3 that is not installed, or none installed in 4, raises
`BackendUnavailable`, whose message says which extra to install or which
variable to set. Keras writes its default `keras.json` (backend "tensorflow")
on its first import wherever none exists, whether or not TensorFlow is
installed; that file records no choice of the user's, so rule 3 passes over it
(else a fresh machine's second run would differ from its first). Any other
content, even `{"backend": "tensorflow"}` alone, is a choice and stands.

```python
from keras_symmetry import backend_choice
choice = backend_choice.choose()   # before `import keras`; keras_symmetry.BACKEND holds the package's
print(choice)                      # backend jax (KERAS_BACKEND unset, no keras.json names one; installed: jax)
```
"""

import dataclasses
import importlib.util
import json
import os
import pathlib
import sys

PREFERENCE = ("jax", "torch", "tensorflow")
"""Auto-choice order: JAX first (the README's extra, a light install, the one backend `--data-parallel` supports)."""
MODULES = {
    "jax": ("jax", "jaxlib"),
    "torch": ("torch",),
    "tensorflow": ("tensorflow",),
    "numpy": ("numpy",),
    "openvino": ("openvino",),
}
"""Keras' backends and the modules each needs."""
EXTRAS = {"jax": "jax", "torch": "torch", "tensorflow": "tensorflow"}
"""The package extra that installs each backend."""
KERAS_DEFAULT_FILE = {
    "floatx": "float32",
    "epsilon": 1e-07,
    "backend": "tensorflow",
    "image_data_format": "channels_last",
}
"""What Keras writes into a missing keras.json on its first import."""


class BackendUnavailable(ImportError):
    """The backend asked for is not installed, or none is."""


@dataclasses.dataclass(frozen=True)
class Choice:
    """The backend and why: `source` is "keras" (already imported), "KERAS_BACKEND", "keras.json" or "installed"."""

    backend: str
    source: str
    reason: str

    def __str__(self):
        return f"backend {self.backend} ({self.reason})"


def installed(backend):
    """Whether every module `backend` needs can be found (nothing is imported); `False` for a name Keras does not
    know."""
    if backend not in MODULES:
        return False
    try:
        return all(importlib.util.find_spec(module) is not None for module in MODULES[backend])
    except (ImportError, ValueError):  # a broken or half-removed installation
        return False


def installed_backends():
    """The installed backends among jax, torch and tensorflow, in the order of preference."""
    return [backend for backend in PREFERENCE if installed(backend)]


def keras_json_path(environ=None):
    """Where Keras looks for its config: `$KERAS_HOME/keras.json`, else `~/.keras`
    (or `/tmp/.keras` when home is read-only)."""
    environ = os.environ if environ is None else environ
    if "KERAS_HOME" in environ:
        folder = environ["KERAS_HOME"]
    else:
        home = os.path.expanduser("~")
        folder = os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")
    return pathlib.Path(os.path.expanduser(folder)) / "keras.json"


def keras_json_backend(path=None):
    """The backend a keras.json names by the user's choice, or `None`
    (no file, unreadable, no backend, Keras' default file)."""
    path = keras_json_path() if path is None else pathlib.Path(path)
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # Keras itself ignores a malformed file
    if not isinstance(config, dict) or config == KERAS_DEFAULT_FILE:
        return None
    backend = config.get("backend")
    return backend if isinstance(backend, str) and backend else None


def _unavailable(backend, named_by):
    have = installed_backends()
    have_text = ", ".join(have) if have else "none"
    if backend not in MODULES:
        return BackendUnavailable(
            f"{named_by} names the Keras backend {backend!r}, which does not exist; use jax, tensorflow or torch "
            f"(installed here: {have_text})."
        )
    extra = EXTRAS.get(backend)
    install = (
        f'pip install "keras-symmetry[{extra}]" (from a clone: pip install -e ".[{extra}]")'
        if extra
        else f"pip install {MODULES[backend][0]}"
    )
    instead = f"or set KERAS_BACKEND to an installed one ({have_text})" if have else "no backend is installed"
    return BackendUnavailable(
        f"{named_by} names the {backend} backend, which is not installed. Install it with {install}, {instead}."
    )


def choose(environ=None, modules=None):
    """Decide the backend by the rules above, export it as `KERAS_BACKEND` when chosen here, and return the `Choice`.

    `environ` and `modules` default to `os.environ` and `sys.modules` (tests pass their own).
    """
    environ = os.environ if environ is None else environ
    if "keras" in (sys.modules if modules is None else modules):
        import keras

        return Choice(keras.backend.backend(), "keras", "Keras was imported first; its backend stands")
    named = environ.get("KERAS_BACKEND")
    if named:
        if not installed(named):
            raise _unavailable(named, f"KERAS_BACKEND={named}")
        return Choice(named, "KERAS_BACKEND", "KERAS_BACKEND")
    path = keras_json_path(environ)
    named = keras_json_backend(path)
    if named:
        if not installed(named):
            raise _unavailable(named, f"{path}")
        return Choice(named, "keras.json", f"named in {path}")
    have = installed_backends()
    if not have:
        raise BackendUnavailable(
            'No Keras backend is installed. Install one with pip install "keras-symmetry[jax]" '
            '(or [torch], [tensorflow]; from a clone: pip install -e ".[jax]").'
        )
    environ["KERAS_BACKEND"] = have[0]
    return Choice(have[0], "installed", f"KERAS_BACKEND unset, no keras.json names one; installed: {', '.join(have)}")


def running_command_line():
    """Whether this process is the `keras-symmetry` command (its console script)."""
    return os.path.basename(sys.argv[0] if sys.argv else "") in ("keras-symmetry", "keras-symmetry.exe")
