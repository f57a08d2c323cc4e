"""Headless Chromium for browser tests (Debian packages ``chromium`` and ``chromium-driver``).

When they are missing, the set-up installs them with apt-get once per test session - only as root on
Debian, as CI runs. Anywhere else the browser tests are skipped, and the skip reason says why and how
to install them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PACKAGES = ("chromium", "chromium-driver")
CHROME_ARGUMENTS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)


def _installed() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def _install() -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", *PACKAGES]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            pytest.fail(f"`{' '.join(command)}` failed ({done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")


@pytest.fixture(scope="session")
def chromium() -> tuple[Path, Path]:
    """Paths of the Chromium binary and its chromedriver, installing them if need be (root on Debian)."""
    if not _installed():
        how = f"install the Debian packages {' and '.join(PACKAGES)} (apt-get install -y {' '.join(PACKAGES)})"
        if not Path("/etc/debian_version").exists() or shutil.which("apt-get") is None:
            pytest.skip(f"browser test skipped: Chromium/chromedriver not found and this is not Debian; {how}")
        if os.geteuid() != 0:
            pytest.skip(f"browser test skipped: Chromium/chromedriver not found and not running as root; {how}")
        _install()
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("browser test skipped: selenium is not installed (pip install -e '.[dev]')")
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture
def browser(chromium):
    """A fresh headless Chromium (own profile directory), closed after the test."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = chromium
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(binary)
        for argument in CHROME_ARGUMENTS:
            options.add_argument(argument)
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(executable_path=str(driver_path)), options=options)
        driver.set_page_load_timeout(20)
        try:
            yield driver
        finally:
            driver.quit()
