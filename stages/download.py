"""Stage `download`: verified MNIST into data/raw/mnist.npz, with Keras's array names."""

import sys

from digits import atomic, config, sources

OUTPUT = "data/raw/mnist.npz"


@config.run_stage
def main():
    cfg = config.load().download
    try:
        arrays = sources.fetch(cfg.local_file, cfg.cache_dir, cfg.timeout_seconds)
    except sources.SourceError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
    atomic.save_npz(OUTPUT, **arrays)


if __name__ == "__main__":
    main()
