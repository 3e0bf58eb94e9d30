"""What every service of the embedded stack provides to `crypto_platform.local.stack`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from crypto_platform.local.process import ManagedProcess
from crypto_platform.settings import LOCAL_HOST, Settings


class LocalService(ABC):
    """A process of the local stack: how to prepare, start, health-check and initialise it."""

    name: str
    startup_timeout: float = 60.0
    after_setup: bool = False  # starts once the other services are healthy and initialised

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process = ManagedProcess(self.name, settings.home / "run")

    @property
    def data_dir(self) -> Path:
        return self.settings.home / self.name

    @property
    @abstractmethod
    def ports(self) -> list[int]:
        """Ports it binds on 127.0.0.1; the first is the one users talk to."""

    @property
    def external(self) -> bool:
        """True when settings point at an existing service, which the stack then uses, not starts."""
        return False

    @property
    def address(self) -> str:
        return f"{LOCAL_HOST}:{self.ports[0]}"

    def prepare(self) -> None:  # noqa: B027 - optional hook
        """Install or resolve what the process needs and lay out its data (idempotent)."""

    @abstractmethod
    def command(self) -> list[str]:
        """The argv that runs the service in the foreground."""

    def env(self) -> dict[str, str]:
        return {}

    @abstractmethod
    def healthy(self) -> bool:
        """Whether the service answers a real request (what `up` waits for)."""

    def condition(self) -> tuple[str, str]:
        """The running service's state for `status` (healthy, unhealthy, or a worker's own state such
        as stalled or failing) and a line saying why and since when when it is not healthy."""
        return ("healthy", "") if self.healthy() else ("unhealthy", "does not answer")

    def initialise(self) -> None:  # noqa: B027 - optional hook
        """Create what the platform needs inside the running service (idempotent)."""
