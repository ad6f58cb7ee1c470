"""Private helpers of the DataLoader, laid out as torch's ``torch.utils.data._utils``
(``collate``, ``fetch``, ``worker``) so code importing from there keeps working."""
from . import collate, fetch, worker  # noqa: F401

MP_STATUS_CHECK_INTERVAL = 5.0  # seconds between liveness checks while waiting on workers
