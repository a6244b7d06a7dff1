# Continues training a model written by `chainrule export RUN --pytorch DIR` with PyTorch
# DistributedDataParallel: gloo backend, N processes on this machine (rendezvous on 127.0.0.1),
# each on its shard of the data (DistributedSampler). Prints one JSON line per rank and epoch
# ({"rank", "epoch", "loss"}) and, at the end, each rank's parameter checksum (equal across ranks:
# DDP keeps the replicas in step). Run by scripts/ddp-train.mjs; usable on its own:
#   /usr/bin/python3 scripts/ddp_train.py --model-dir DIR --data data.json [--world 2 --epochs 4]
# data.json: {"kind": "ids" | "features", "input": [[...], ...], "labels": [0, 1, ...]}
import argparse
import json
import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset


def emit(record):
    # one write per line: the ranks share stdout, and a pipe keeps writes this small whole
    sys.stdout.write(json.dumps(record) + '\n')
    sys.stdout.flush()


def worker(rank, args):
    os.environ['MASTER_ADDR'] = '127.0.0.1'
    os.environ['MASTER_PORT'] = str(args.port)
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=args.world)
    sys.path.insert(0, os.path.abspath(args.model_dir))
    import model

    torch.manual_seed(args.seed + rank)
    net = model.load(args.model_dir).train()
    ddp = DistributedDataParallel(net)
    with open(args.data) as f:
        data = json.load(f)
    x = torch.tensor(data['input'], dtype=torch.int64 if data['kind'] == 'ids' else torch.float32)
    y = torch.tensor(data['labels'], dtype=torch.int64)
    ds = TensorDataset(x, y)
    sampler = DistributedSampler(ds, num_replicas=args.world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(ds, batch_size=args.batch_size, sampler=sampler)
    opt = torch.optim.Adam(ddp.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        total, n = 0.0, 0
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(ddp(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            n += len(yb)
        emit({'rank': rank, 'epoch': epoch, 'loss': total / n, 'examples': n})
    checksum = sum(p.detach().double().sum().item() for p in net.parameters())
    emit({'rank': rank, 'checksum': checksum})
    dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--model-dir', required=True)
    p.add_argument('--data', required=True)
    p.add_argument('--world', type=int, default=2)
    p.add_argument('--epochs', type=int, default=4)
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--port', type=int, default=29517)
    args = p.parse_args()
    mp.spawn(worker, args=(args,), nprocs=args.world, join=True)


if __name__ == '__main__':
    main()
