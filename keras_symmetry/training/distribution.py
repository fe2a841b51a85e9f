"""Data-parallel training with `keras.distribution`: every local device, or several hosts."""

import keras


def data_parallel(batch_size, coordinator_address=None, num_processes=None, process_id=None):
    """Shard every batch over all devices with `keras.distribution.DataParallel`; returns the devices.

    Must run before the model is built. With `coordinator_address` (host:port
    of process 0), `keras.distribution.initialize` first joins the
    `num_processes` processes of a multi-host run. Keras implements
    `keras.distribution` for the JAX backend only; other backends are refused
    with that reason rather than silently trained on one device.
    """
    backend = keras.backend.backend()
    if backend != "jax":
        raise ValueError(
            f"--data-parallel uses keras.distribution, which Keras implements for the JAX backend only; this run "
            f"uses {backend!r}. Set KERAS_BACKEND=jax, or train on one device without --data-parallel."
        )
    if coordinator_address is not None:
        if num_processes is None or process_id is None:
            raise ValueError("A multi-host run needs --coordinator-address, --num-processes and --process-id together.")
        keras.distribution.initialize(coordinator_address, num_processes, process_id)
    devices = keras.distribution.list_devices()
    if batch_size % len(devices):
        raise ValueError(f"--batch-size {batch_size} does not split evenly over {len(devices)} devices.")
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    return devices
