"""RabbitMQ for tests that break the broker: a private node, plus small AMQP helpers.

`PrivateRabbit` starts a throwaway RabbitMQ node that only the test owns, so a test can
stop it (`stop_app`), start it again (`start_app`) or cut every client off
(`close_all_connections`) without disturbing the shared broker on port 5672 that other
tests and developers use.

How it stays away from the main node (`rabbit@…`, 5672/25672):

* its own node name (`anbei-test-<random>@<hostname -s>`), its own free AMQP and
  distribution ports (from below the ephemeral range: `tests.ports`), and every file
  (config, enabled plugins, env file, Mnesia, logs, pid file) in a temp dir; inherited
  `RABBITMQ_*` variables are dropped so nothing from `/etc/rabbitmq` (node name, plugins
  such as management on 15672) leaks in;
* its own Erlang cookie, in `HOME` = the temp dir, shared only with the CLI calls made
  here: even a CLI call aimed at the wrong node name could not authenticate against
  the main node. Every CLI call also names the node explicitly (`-n`).

Debian's `/usr/sbin/rabbitmq-server` and `rabbitmqctl` are a wrapper that, run as root,
`su`s to the `rabbitmq` user (whose `HOME` is /var/lib/rabbitmq, so it would share the
main node's cookie and need a temp dir owned by `rabbitmq`), and refuses any other user.
The real scripts behind it (`/usr/lib/rabbitmq/bin/`) run as whoever calls them, so this
module calls those directly: as root or as an unprivileged CI user alike, with a
private `HOME` and cookie. `RABBITMQ_SBIN` overrides where the scripts are looked for.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue as stdlib_queue
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from kombu import Connection, Exchange, Queue

from tests.ports import free_ports

_SBIN_CANDIDATES = ("/usr/lib/rabbitmq/bin", "/usr/lib/rabbitmq/sbin", "/usr/local/sbin", "/usr/sbin")


def _sbin() -> Path | None:
    """Where the unwrapped `rabbitmq-server` and `rabbitmqctl` scripts are, if installed."""
    candidates = [os.environ.get("RABBITMQ_SBIN", ""), *_SBIN_CANDIDATES]
    for candidate in filter(None, candidates):
        directory = Path(candidate)
        server, ctl = directory / "rabbitmq-server", directory / "rabbitmqctl"
        if server.exists() and ctl.exists() and not _is_debian_wrapper(server):
            return directory
    return None


def _is_debian_wrapper(script: Path) -> bool:
    try:
        return "rabbitmq-script-wrapper" in str(script.resolve()) or "su rabbitmq" in script.read_text(
            errors="replace"
        )
    except OSError:
        return True


def available() -> bool:
    """True when a RabbitMQ server can be started here (tests skip otherwise)."""
    return _sbin() is not None


def _short_hostname() -> str:
    """`hostname -s`, if it resolves (Erlang distribution needs that); else localhost."""
    short = socket.gethostname().split(".")[0]
    try:
        socket.gethostbyname(short)
    except OSError:
        return "localhost"
    return short


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str, interval_s: float = 0.05) -> None:
    """Poll `condition` until it holds; AssertionError naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(interval_s)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class NodeDied(RuntimeError):
    """The node's Erlang VM exited before the node finished booting."""


class PrivateRabbit:
    """A RabbitMQ node of the test's own: start it with `with PrivateRabbit() as rabbit:`."""

    def __init__(self, *, startup_timeout_s: float = 60.0, attempts: int = 3) -> None:
        sbin = _sbin()
        if sbin is None:
            raise RuntimeError("rabbitmq-server is not installed (set RABBITMQ_SBIN to its sbin dir)")
        self.server_script, self.ctl_script = sbin / "rabbitmq-server", sbin / "rabbitmqctl"
        self.startup_timeout_s = startup_timeout_s
        self.attempts = attempts
        self.base: Path | None = None
        self.pid: int | None = None
        self._env: dict[str, str] = {}
        self._choose_name_and_ports()

    def _choose_name_and_ports(self) -> None:
        self.nodename = f"anbei-test-{secrets.token_hex(4)}@{_short_hostname()}"
        self.port, self.dist_port = free_ports(2)

    @property
    def amqp_uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> PrivateRabbit:
        """Start the node. One that dies while booting (a port taken since it was chosen, say)
        is started again under a new name on new ports, up to `attempts` times."""
        failures: list[str] = []
        for _ in range(self.attempts):
            try:
                return self._start_once()
            except NodeDied as died:
                failures.append(str(died))
                self._choose_name_and_ports()
        raise RuntimeError(f"no private RabbitMQ node started in {self.attempts} attempts:\n"
                           + "\n\n".join(failures))

    def _start_once(self) -> PrivateRabbit:
        self.base = base = Path(tempfile.mkdtemp(prefix="anbei-rabbit-"))
        atexit.register(self.close)  # a crashed test run must not leave a node behind
        (base / "mnesia").mkdir()
        (base / "log").mkdir()
        (base / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq-env.conf").write_text("")
        cookie = base / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20).upper())
        cookie.chmod(0o400)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update({
            "HOME": str(base),
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": str(base / "node.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        })
        self._env = env
        try:
            subprocess.run([str(self.server_script), "-detached"], env=env, cwd=base, check=True,
                           capture_output=True, timeout=30)
            self._await_startup(self.startup_timeout_s)
            self.pid = self._read_pid()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop the node (gracefully, then by PID) and remove its temp dir. Idempotent."""
        base, self.base = self.base, None
        if base is None:
            return
        atexit.unregister(self.close)
        pid = self.pid if self.pid is not None else self._read_pid(base)
        if pid is not None:  # in case a test left it frozen
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        with contextlib.suppress(Exception):
            self.ctl("stop", timeout_s=30)
        if pid is not None:
            deadline = time.monotonic() + 15
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _pid_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(base, ignore_errors=True)

    def __enter__(self) -> PrivateRabbit:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # -- faults ----------------------------------------------------------------------------

    def stop_app(self) -> None:
        """Stop RabbitMQ inside the node: clients are cut off and the AMQP port refuses."""
        self.ctl("stop_app")
        wait_until(lambda: not port_open(self.port), 15, f"port {self.port} to close")

    def start_app(self) -> None:
        """Start RabbitMQ again (durable queues and persistent messages are back)."""
        self.ctl("start_app")
        self._await_startup(30)
        wait_until(lambda: port_open(self.port), 15, f"port {self.port} to accept connections")

    def ensure_running(self) -> None:
        if not port_open(self.port):
            self.start_app()

    def close_all_connections(self, reason: str = "test cuts clients off") -> None:
        self.ctl("close_all_connections", "--global", reason)

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """The node hangs (SIGSTOP on its PID) inside the block: TCP connects still succeed,
        but nothing is answered, as with a partitioned or wedged broker."""
        if self.pid is None:
            raise RuntimeError("node not started")
        os.kill(self.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.pid, signal.SIGCONT)

    def connection_count(self) -> int:
        return len([line for line in self.ctl("list_connections", "--no-table-headers", "name")
                   .splitlines() if line.strip()])

    # -- plumbing --------------------------------------------------------------------------

    def ctl(self, *args: str, timeout_s: float = 60) -> str:
        """`rabbitmqctl -n <this node> …`: always this node, with this node's cookie."""
        if not self._env:
            raise RuntimeError("node not started")
        done = subprocess.run([str(self.ctl_script), "-n", self.nodename, "-q", *args],
                              env=self._env, capture_output=True, text=True, timeout=timeout_s,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} on {self.nodename} failed "
                               f"({done.returncode}): {done.stderr or done.stdout}")
        return done.stdout

    def _await_startup(self, timeout_s: float) -> None:
        # await_startup fails at once while the node has not registered with epmd yet: loop,
        # until the node answers, its Erlang VM is gone (NodeDied), or the time is up.
        started = time.monotonic()
        deadline = started + timeout_s
        last = ""
        missing = 0
        while time.monotonic() < deadline:
            try:
                self.ctl("await_startup", "--timeout", "10", timeout_s=30)
                return
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                last = str(error)
            missing = 0 if self._vm_running() else missing + 1
            if missing >= 2 and time.monotonic() - started > 2:
                raise NodeDied(f"{self.nodename} died while booting (AMQP port {self.port}, "
                               f"distribution port {self.dist_port}): {last}\n{self.log_tail()}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.nodename} did not start in {timeout_s}s: {last}\n{self.log_tail()}")

    def _vm_running(self) -> bool:
        """Whether this node's Erlang VM is a process (told apart from rabbitmqctl's VMs, which
        share its HOME, by the `-s rabbit boot` only the server has)."""
        if self.base is None:
            return False
        mine = f"\0-home\0{self.base}\0".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if mine in cmdline and b"\0-s\0rabbit\0boot\0" in cmdline:
                return True
        return False

    def _read_pid(self, base: Path | None = None) -> int | None:
        pid_file = (base or self.base or Path("/nonexistent")) / "node.pid"
        try:
            return int(pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def log_tail(self, lines: int = 40) -> str:
        if self.base is None:
            return ""
        logs = sorted((self.base / "log").glob("*.log"))
        return "\n".join("\n".join(log.read_text(errors="replace").splitlines()[-lines:]) for log in logs)


# -- AMQP helpers shared by the broker tests ------------------------------------------------------


def event_exchange(service: str) -> Exchange:
    """The exchange nameko and the relay publish `service`'s events to."""
    return Exchange(f"{service}.events", type="topic", durable=True)


def bind_event_queue(amqp_uri: str, service: str, queue: str, routing_key: str = "#",
                     arguments: dict[str, Any] | None = None) -> Queue:
    """Declare a durable queue bound to `service`'s events; do it before publishing."""
    bound = Queue(queue, event_exchange(service), routing_key=routing_key, durable=True,
                  queue_arguments=arguments)
    with Connection(amqp_uri, connect_timeout=5) as connection:
        bound(connection.default_channel).declare()
    return bound


@contextlib.contextmanager
def consuming(amqp_uri: str, queue: Queue) -> Iterator[Any]:
    """A kombu SimpleQueue on `queue` (messages need an explicit ack)."""
    with Connection(amqp_uri, connect_timeout=5) as connection, connection.SimpleQueue(queue) as simple:
        yield simple


def drain(amqp_uri: str, queue: Queue, expect: int, timeout_s: float = 15.0,
          quiet_s: float = 0.5) -> list[Any]:
    """Ack and return messages until `expect` arrived, plus any that follow within `quiet_s`.

    Fails when fewer than `expect` arrive before `timeout_s`.
    """
    received: list[Any] = []
    deadline = time.monotonic() + timeout_s
    with consuming(amqp_uri, queue) as simple:
        while True:
            remaining = deadline - time.monotonic()
            if len(received) >= expect:
                wait = quiet_s
            elif remaining <= 0:
                raise AssertionError(f"only {len(received)} of {expect} messages arrived in {timeout_s}s")
            else:
                wait = min(remaining, 1.0)
            try:
                message = simple.get(block=True, timeout=wait)
            except stdlib_queue.Empty:
                if len(received) >= expect:
                    return received
                continue
            message.ack()
            received.append(message)
