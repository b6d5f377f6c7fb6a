"""hrfind opens no network connection and writes no query anywhere."""

import socket

import pytest

from conftest import NetworkUsed


def test_the_suite_refuses_sockets():
    with pytest.raises(NetworkUsed):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(NetworkUsed):
        socket.socket().connect(("127.0.0.1", 9))
    with pytest.raises(NetworkUsed):
        socket.getaddrinfo("example.org", 443)


def test_no_query_text_reaches_the_disk(cli, isolated, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    secret = "zzsecretquerytextzz"
    for args in (["search", secret], ["search", secret, "--json"], ["show", secret], ["search", "narcan", secret]):
        cli(*args)
    for root in (isolated, tmp_path):
        for path in root.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), f"{path} holds the query"
