"""Command-line subcommands of the archive domain (122号 Art.19 电子信用档案), registered into `xinyong`:

    xinyong archive keygen               create the Ed25519 checkpoint key at $XINYONG_SIGNING_KEY (never overwrites)
    xinyong archive checkpoint           sign the Merkle root over every entry now
    xinyong archive verify               recompute chains, checkpoints and live rows; exit 0 + "OK …" or 1
    xinyong archive export CODE FILE     one subject's archive as a self-verifying JSON file
    xinyong archive check FILE           verify such a file; needs no database (check.py imports none, and no
                                         engine is made on this path)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..auth.actors import OPERATOR
from ..core.cli import engine, guarded
from ..core.uow import start
from . import check, signing
from .checkpoints import write_checkpoint
from .export import export_subject
from .verify import verify_archive


def cmd_keygen(_args: argparse.Namespace) -> int:
    path = signing.key_path()
    try:
        created, kid = signing.generate(path)
    except (OSError, ValueError) as exc:
        print(f"无法创建签名密钥 / cannot create the signing key at {path}: {exc}", file=sys.stderr)
        return 2
    if created:
        print(f"已创建签名密钥 / signing key created: {path} (public key {path}.pub, id {kid})")
        print("请备份私钥并公布公钥 / back up the private key; publish the public key and its id")
    else:
        print(f"签名密钥已存在，未覆盖 / signing key already exists, not overwritten: {path} (id {kid})")
    return 0


def cmd_checkpoint(_args: argparse.Namespace) -> int:
    try:
        with start(engine(), OPERATOR) as uow:
            cp = write_checkpoint(uow)
            line = (f"检查点 / checkpoint #{cp.id} at {cp.at.isoformat(timespec='seconds')}: {cp.entry_count} entries, "
                    f"root {cp.root}, key {cp.public_key_id}")
    except signing.SigningKeyMissing as exc:
        print(f"缺少签名密钥 / {exc}", file=sys.stderr)
        return 2
    print(line)
    return 0


def cmd_verify(_args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR, writing=False) as uow:
        report = verify_archive(uow.session)
    for line in report.problems:
        print(line)
    print(report.final_line())
    return 0 if report.ok else 1


@guarded
def cmd_export(args: argparse.Namespace) -> int:
    try:
        with start(engine(), OPERATOR) as uow:
            doc = export_subject(uow, args.code)
    except signing.SigningKeyMissing as exc:
        print(f"缺少签名密钥 / {exc}", file=sys.stderr)
        return 2
    out = Path(args.file)
    try:
        out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        print(f"无法写入 / cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"已导出 / exported {doc['subject']['code']}: {len(doc['entries'])} entries, "
          f"{len(doc['evidence'])} evidence file(s), checkpoint #{doc['checkpoint']['id']} → {out}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    return check.run(args.file, args.key_id)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this domain's subcommands to the top-level parser."""
    arc = sub.add_parser("archive", help="电子信用档案 / electronic credit archive (122号 第十九条)").add_subparsers(
        dest="archive_command", required=True)
    s = arc.add_parser("keygen", help="create the Ed25519 checkpoint key ($XINYONG_SIGNING_KEY); never overwrites")
    s.set_defaults(func=cmd_keygen)
    s = arc.add_parser("checkpoint", help="sign the Merkle root over every archive entry now")
    s.set_defaults(func=cmd_checkpoint)
    s = arc.add_parser("verify", help="recompute chains, signed checkpoints, and live records/evaluations")
    s.set_defaults(func=cmd_verify)
    s = arc.add_parser("export", help="write one subject's archive (JSON + evidence + proofs) to FILE")
    s.add_argument("code")
    s.add_argument("file")
    s.set_defaults(func=cmd_export)
    s = arc.add_parser("check", help="verify an exported file, without any database")
    s.add_argument("file")
    s.add_argument("--key-id", help="the deployment's public key id to trust")
    s.set_defaults(func=cmd_check)
