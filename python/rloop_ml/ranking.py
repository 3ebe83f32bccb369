"""Listwise ranking loss for the solver: Plackett-Luce negative log-likelihood (ListMLE) with Breslow ties.

Plackett-Luce (Luce 1959, "Individual Choice Behavior"; Plackett 1975, "The analysis of permutations") gives an
ordering pi of n items with scores s the probability

    P(pi | s) = prod_k  exp(s_pi(k)) / sum_{j >= k} exp(s_pi(j))

(pick the best among all, then the best among the rest, ...). ListMLE (Xia et al. 2008, "Listwise approach to
learning to rank: theory and algorithm", ICML) minimises -log P(observed order | s).

Ties (answers the judge could not separate): Breslow's approximation (Breslow 1974, the same one used for tied event
times in Cox's partial likelihood). A block of tied answers contributes every member's term against ONE shared risk
set: the block itself and everything ranked below it,

    loss = - sum_blocks sum_{i in block} [ s_i - log sum_{j in block or below} exp(s_j) ]

so no order is imposed inside the block (the term is symmetric in its members), while every member must still beat
everything below. Without ties every block is a single answer and this is exactly ListMLE. Compared with averaging
the likelihood over all orders of a block (exact, but d! orders for a block of d), Breslow costs one log-sum-exp per
block; it slightly over-counts the block's denominators (it is the standard, conservative choice).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def tie_blocks(n: int, ties: Sequence[Sequence[int]] | None) -> list[tuple[int, int]]:
    """[start, end) position blocks of a best-first list of n items: each tie group one block, every other item alone.
    Tie groups must be runs of consecutive positions (validated on the rows)."""
    starts = {min(g): max(g) + 1 for g in (ties or [])}
    blocks, i = [], 0
    while i < n:
        end = starts.get(i, i + 1)
        blocks.append((i, end))
        i = end
    return blocks


def plackett_luce_nll(scores: torch.Tensor, blocks: Sequence[tuple[int, int]]) -> torch.Tensor:
    """-log P(best-first order | scores) with Breslow ties; scores [n] in the observed order, blocks from tie_blocks."""
    terms = []
    for start, end in blocks:
        risk = torch.logsumexp(scores[start:], dim=0)
        terms.append((scores[start:end] - risk).sum())
    return -torch.stack(terms).sum()
