"""The fault tests' private RabbitMQ node starts even when a port chosen for it is taken before
it binds (CI once lost a whole module to that), and its ports cannot be taken by clients."""

from __future__ import annotations

import socket

import pytest
from kombu import Connection

from tests.ports import ephemeral_start, free_ports
from tests.private_rabbit import PrivateRabbit


def test_ports_for_started_processes_come_from_below_the_ephemeral_range() -> None:
    ports = free_ports(50)
    assert len(set(ports)) == 50
    assert max(ports) < ephemeral_start()


@pytest.mark.parametrize("taken", ["dist_port", "port"])
def test_a_node_whose_port_is_taken_before_it_binds_starts_again_on_other_ports(taken: str) -> None:
    node = PrivateRabbit()
    first_name = node.nodename
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", getattr(node, taken)))
        squatter.listen()
        squatted = squatter.getsockname()[1]
        with node:
            assert getattr(node, taken) != squatted
            assert node.nodename != first_name
            with Connection(node.amqp_uri, connect_timeout=5) as connection:
                connection.ensure_connection(max_retries=1)
                assert connection.connected
