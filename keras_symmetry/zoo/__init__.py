"""The model zoo: what each entry is, how it was trained, and the hashes its files must have.

```python
import keras_symmetry as ks
ks.zoo.names()                         # every entry the package declares
ks.zoo.get("u1-gru-psmnist").metrics   # its recorded test metrics; .files: each file's sha256 and size
ks.load("u1-gru-psmnist")              # local zoo, else the Hugging Face cache, else the Hub; hashes checked
```

The declarations (`keras_symmetry/zoo/entries/NAME.json`) ship in the wheel; the weights do not: they come
from the Hub (`keras-symmetry/NAME`) at the pinned revision, or from a local zoo folder (`zoo.local_dir()`).
"""

from keras_symmetry.zoo.declarations import (
    ENV_VAR,
    Entry,
    baseline,
    entries,
    get,
    local_dir,
    names,
    pin,
    record,
    write,
)
from keras_symmetry.zoo.fetch import Location, locate

__all__ = [
    "ENV_VAR",
    "Entry",
    "Location",
    "baseline",
    "entries",
    "get",
    "local_dir",
    "locate",
    "names",
    "pin",
    "record",
    "write",
]
