"""What every nameko service needs from the kernel, as a DependencyProvider and an entrypoint.

`EventSourcing` connects in `setup()`, catches the projections up and starts the
outbox relay in `start()`, and hands each worker the smallest useful interface: the
service's `Application`, as that worker sees it (`shared.read_after.WorkerApplication`:
the position its caller asked to read after, and how far its commands reached). `rpc`
is nameko's RPC entrypoint whose method body runs off the green-thread loop
(`shared.blocking`), first waiting for that position, with the kernel's errors expected
(logged as one line, not a traceback); a caller that asks gets the position its command
reached beside the answer. Importing this module also registers the kernel's
errors with nameko, so they cross RPC as themselves rather than as RemoteError.
"""

from __future__ import annotations

import functools
import gc
import inspect
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.events import EventHandler
from nameko.exceptions import get_module_path, registry
from nameko.extensions import DependencyProvider
from nameko.rpc import ReplyListener, Rpc, RpcProxy

from shared.application import READ_YOUR_WRITE_TIMEOUT_S, Application, CommandContext
from shared.blocking import offload, worker_finished, worker_started
from shared.config import Settings, load_keyring, load_settings
from shared.envelope import now
from shared.errors import (
    AnbeiError,
    Conflict,
    Forbidden,
    InvalidCommand,
    NotFound,
    StoreUnavailable,
    Unavailable,
)
from shared.leases import Leadership, replica_id
from shared.metrics import RegisterGauges, ServiceMetrics, instrument_event_sourcing
from shared.outbox import RELAY_CHECKPOINT, OutboxRelay
from shared.projections import Projection, ProjectionRunner
from shared.reactors import Reaction, ReactorRunner
from shared.read_after import READ_AFTER, REPORT_POSITION, WorkerApplication, positioned, read_after
from shared.store import ConcurrencyError, EventIdReusedError, open_store
from shared.upcasting import Upcasters
from shared.views import ViewStore

log = logging.getLogger(__name__)

for _error in (AnbeiError, InvalidCommand, NotFound, Conflict, Forbidden, StoreUnavailable, Unavailable,
               ConcurrencyError, EventIdReusedError):
    registry[get_module_path(_error)] = _error


F = TypeVar("F", bound=Callable[..., Any])

#: What a connection to a broker going away raises.
BROKER_ERRORS = (OSError, KombuError, AMQPError)


class OutageProofRpc(Rpc):  # type: ignore[misc]
    """nameko's RPC entrypoint, but a reply lost to a broker outage does not stop the service.

    nameko kills the whole container when publishing a worker's reply fails, so a service
    answering while RabbitMQ goes away was gone for good after it came back. Here the failure
    is logged instead and the request stays unacknowledged: the broker delivers it again once
    it is back (commands are idempotent by command id, reads change nothing), and the caller,
    which timed out meanwhile, retries under the same id anyway.
    """

    def handle_result(self, message: Any, worker_ctx: Any, result: Any, exc_info: Any) -> Any:
        if exc_info is None and worker_ctx.data.get(REPORT_POSITION):
            result = _with_position(worker_ctx, result)
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except BROKER_ERRORS as error:
            log.warning("%s: its reply was lost to the broker (%s); the request is delivered again "
                        "once the broker is back", worker_ctx.entrypoint.method_name, error)
            return result, exc_info


nameko_rpc = OutageProofRpc.decorator


class OutageProofEventHandler(EventHandler):  # type: ignore[misc]
    """nameko's event handler, but an acknowledgement lost to a broker outage does not stop
    the service: the broker delivers the event again and the handler drops the repeat."""

    def handle_message_processed(self, message: Any, result: Any = None, exc_info: Any = None) -> None:
        try:
            super().handle_message_processed(message, result, exc_info)
        except BROKER_ERRORS as error:
            log.warning("%s: acknowledging the event was lost to the broker (%s); it is delivered "
                        "again once the broker is back", self.method_name, error)


event_handler = OutageProofEventHandler.decorator


class OutageProofReplyListener(ReplyListener):  # type: ignore[misc]
    """nameko's listener for RPC replies, but acknowledging a reply as the broker goes away
    neither stops the caller's service (nameko's kills it: every later HTTP request of the
    gateway was a 500) nor loses the reply, which is handed to the waiting call first."""

    def handle_message(self, body: Any, message: Any) -> None:
        client_event = self._reply_events.pop(message.properties.get("correlation_id"), None)
        if client_event is not None:
            client_event.send(body)
        try:
            self.queue_consumer.ack_message(message)
        except BROKER_ERRORS as error:
            log.warning("acknowledging an RPC reply was lost to the broker (%s)", error)


class OutageProofRpcProxy(RpcProxy):  # type: ignore[misc]
    """nameko's RPC proxy with the `OutageProofReplyListener`."""

    rpc_reply_listener = OutageProofReplyListener()


def _worker_app(service: Any) -> WorkerApplication | None:
    """The event-sourced application nameko injected into this worker's service instance."""
    return next((value for value in vars(service).values() if isinstance(value, WorkerApplication)), None)


def _with_position(worker_ctx: Any, result: Any) -> Any:
    """The answer and the position the worker's commands reached, for a caller that asked
    (`shared.read_after`); a service without event sourcing answers as it is."""
    app = _worker_app(worker_ctx.service)
    return result if app is None else positioned(result, offload(app.position))


def rpc(method: F) -> F:
    """An RPC entrypoint whose body runs in a native thread, so a slow store call never
    freezes the service; the kernel's errors are expected answers, not faults."""

    @functools.wraps(method)
    def offloaded(self: Any, *args: Any, **kwargs: Any) -> Any:
        return offload(_read_after_then, method, self, *args, **kwargs)

    offloaded.__signature__ = inspect.signature(method)  # type: ignore[attr-defined]  # nameko checks it
    return cast(F, nameko_rpc(expected_exceptions=(AnbeiError,))(offloaded))


def _read_after_then(method: Callable[..., Any], service: Any, *args: Any, **kwargs: Any) -> Any:
    """Run the body once the replica's read models hold what the caller asked to read after."""
    if (app := _worker_app(service)) is not None:
        app.await_read_after()
    return method(service, *args, **kwargs)


def command_context(meta: dict[str, Any] | None, occurred_at: Any = None) -> CommandContext:
    """The context an RPC caller sends beside a command: actor, command id, correlation id."""
    meta = meta or {}
    return CommandContext(
        command_id=str(meta.get("command_id") or uuid.uuid4()),
        actor=str(meta.get("actor") or "system"),
        correlation_id=meta.get("correlation_id"),
        causation_id=meta.get("causation_id"),
        occurred_at=occurred_at or now(),
    )


class EventSourcing(DependencyProvider):  # type: ignore[misc]
    """A service's event store, read models and outbox relay, configured from the environment."""

    def __init__(self, projections: Sequence[Projection], upcasters: Upcasters | None = None,
                 gauges: RegisterGauges | None = None, reactions: Sequence[Reaction] = ()) -> None:
        self.projections, self.upcasters, self.gauges = projections, upcasters or Upcasters(), gauges
        self.reactions = reactions
        self._stop = threading.Event()

    def setup(self) -> None:
        service = self.container.service_name
        self.settings: Settings = load_settings(service)
        # a write waits a third of the RPC timeout for its turn in this process and as long for
        # another process's lock, so a locked store is a 503 `store_unavailable` from this service
        # before the gateway stops waiting for it
        store = open_store(self.settings.event_store_url, keyring=load_keyring(self.settings),
                           default_database=f"anbei_{service}",
                           busy_timeout_s=self.settings.rpc_timeout_s / 3)
        views = ViewStore(self.settings.view_store_path, owner=service)
        runner = ProjectionRunner(store, views, self.projections, self.upcasters, name=service)
        replica = replica_id(self.settings.replica_name)  # replicas on one store take turns through leases
        self.relay = OutboxRelay(store, service, self.settings.amqp_uri, poll_s=self.settings.relay_poll_s,
                                 leadership=Leadership(store, RELAY_CHECKPOINT, replica))
        self.app = Application(store, runner, self.upcasters)
        self.caller = RpcCaller(self.settings.amqp_uri, self.settings.rpc_timeout_s)
        self.reactor = ReactorRunner(self.app, self.reactions, self.caller.call,
                                     checkpoint=f"reactor:{service}", poll_s=self.settings.relay_poll_s,
                                     leadership=Leadership(store, f"reactor:{service}", replica),
                                     appended=self.relay.notify)
        self.stop_metrics = instrument_event_sourcing(service, store, self.relay, runner, self.gauges)

    def start(self) -> None:
        # Everything the process holds once started (modules, schemas, nameko) is moved out of the
        # collector's reach: a full collection then walks only what commands create, so it no
        # longer stalls every thread for tens of milliseconds during a long fold.
        gc.collect()
        gc.freeze()
        offload(self.app.runner.ensure_current)  # rebuilds read models made by other code
        offload(self.app.runner.catch_up)
        self.container.spawn_managed_thread(lambda: self.relay.run(self._stop))
        self.container.spawn_managed_thread(self._tail)
        if self.reactions:
            self.container.spawn_managed_thread(lambda: self.reactor.run(self._stop))

    def _tail(self) -> None:
        """Keep the read models current with what other replicas of this service write; while the
        store is unavailable, say so in one line and look again after a growing pause."""
        pause = self.settings.relay_poll_s
        while not self._stop.is_set():
            try:
                offload(self.app.runner.catch_up)
                pause = self.settings.relay_poll_s
            except StoreUnavailable as error:
                log.warning("catching the read models up: %s; trying again in %.1fs", error, pause)
                pause = min(pause * 2, 5.0)
            except Exception:
                log.exception("catching the read models up failed; trying again")
            self._stop.wait(pause)

    def worker_setup(self, worker_ctx: Any) -> None:
        worker_started()  # a long fold gives way to it until its answer has gone

    def worker_teardown(self, worker_ctx: Any) -> None:
        worker_finished()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        """A worker may have appended: the relay and the reactor act now, not at their next poll."""
        self.relay.notify()
        self.reactor.notify()

    def stop(self) -> None:
        self._stop.set()
        self.relay.notify()
        self.reactor.notify()
        self.caller.close()
        self.stop_metrics()

    def get_dependency(self, worker_ctx: Any) -> WorkerApplication:
        """The Application, as this worker sees it: a caller that wrote on another replica may
        ask to read after its write (context data `anbei_read_after`); the `rpc` body then
        waits until this replica's read models hold that position, for at most half the RPC
        timeout (so the caller hears why, not just a timeout), and the worker notes how far
        its commands reached (`shared.read_after`)."""
        position = read_after(worker_ctx.data.get(READ_AFTER), self.container.service_name)
        wait_s = min(READ_YOUR_WRITE_TIMEOUT_S, self.settings.rpc_timeout_s / 2)
        return WorkerApplication(self.app, position, wait_s)


class RpcCaller:
    """RPC to other services from a service's own green threads (its reactor), not from a
    worker: one standalone cluster proxy, reopened after a failure."""

    def __init__(self, amqp_uri: str, timeout_s: float) -> None:
        self.amqp_uri, self.timeout_s = amqp_uri, timeout_s
        self._proxy: Any = None
        self._cluster: Any = None

    def call(self, service: str, method: str, *args: Any) -> Any:
        from nameko.standalone.rpc import ClusterRpcProxy

        if self._cluster is None:
            self._proxy = ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=self.timeout_s)
            self._cluster = self._proxy.start()
        try:
            return getattr(getattr(self._cluster, service), method)(*args)
        except AnbeiError:
            raise  # an answer, not a fault
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self._proxy is not None:
            try:
                self._proxy.stop()
            except Exception:
                log.debug("closing a broken RPC proxy failed", exc_info=True)
        self._proxy = self._cluster = None


def event_sourcing(projections: Sequence[Projection], upcasters: Upcasters | None = None,
                   gauges: RegisterGauges | None = None, reactions: Sequence[Reaction] = ()) -> Application:
    """Declare a service's event sourcing: `es = event_sourcing(PROJECTIONS, gauges=register_gauges)`.

    `gauges` registers the service's business gauges over its read models (`shared.metrics`);
    `reactions` are its process managers and policies (`shared.reactors`), run by one
    reactor thread that tails the service's own events.

    Typed as the `Application` because that is what each worker sees: nameko replaces
    the provider on the class by `get_dependency()`'s value on every worker instance.
    """
    return cast(Application, EventSourcing(projections, upcasters, gauges, reactions))


class ServiceSettings(DependencyProvider):  # type: ignore[misc]
    """The service's validated `Settings`, loaded once at container setup."""

    def setup(self) -> None:
        self.settings = load_settings(self.container.service_name)

    def get_dependency(self, worker_ctx: Any) -> Settings:
        return self.settings


def service_settings() -> Settings:
    """Declare `settings = service_settings()` on a nameko service class."""
    return cast(Settings, ServiceSettings())


Json = dict[str, Any]


class EventSourcedService:
    """Entrypoints every event-sourced service has; subclasses set `name` and `es`."""

    es: Application
    metrics = ServiceMetrics()

    @nameko_rpc  # type: ignore[untyped-decorator]  # answers on the loop: nothing to offload
    def ping(self) -> str:
        return "pong"

    @rpc
    def feed(self, after: int = 0, limit: int = 100) -> Json:
        """Committed events after position `after` in global order, as stored (for other systems);
        `next` is the position to pass as `after` to read on."""
        events = self.es.store.read_all(after, limit)
        return {"items": [event.to_message() for event in events],
                "next": events[-1].position if events else after}

    @rpc
    def verify(self) -> Json:
        """Prove the read models equal a rebuild from the log, the domain's invariants hold,
        every keyed hash chain and seal holds, and the log reaches what was published."""
        published = self.es.store.get_checkpoint(RELAY_CHECKPOINT)
        return self.es.verify({"published events": published}).model_dump(mode="json")
