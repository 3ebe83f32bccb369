"""The loss functions against values computed by hand on tiny tensors."""

from __future__ import annotations

import itertools
import math

import pytest

torch = pytest.importorskip("torch")

from rloop_ml.policy_gradient import pg_surrogate_loss  # noqa: E402
from rloop_ml.ranking import plackett_luce_nll, tie_blocks  # noqa: E402

L = math.log


def test_pg_surrogate_clips_the_ratio_on_the_side_the_advantage_pushes():
    # Row 1 (A = +1): token ratios 0.5/0.4 = 1.25 and 0.25/0.5 = 0.5; clip to [0.8, 1.2].
    #   min(1.25, 1.2) = 1.2 and min(0.5, 0.8) = 0.5  -> loss -(1.2 + 0.5) / 2 = -0.85
    # Row 2 (A = -2): same ratios. min(-2.5, -2.4) = -2.5 and min(-1.0, -1.6) = -1.6 -> loss (2.5 + 1.6) / 2 = 2.05
    # The third position is padding (mask 0) with a placeholder base log-prob of 0: it must not count.
    logps = torch.tensor([[L(0.5), L(0.25), -300.0], [L(0.5), L(0.25), -300.0]])
    base = torch.tensor([[L(0.4), L(0.5), 0.0], [L(0.4), L(0.5), 0.0]])
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
    loss = pg_surrogate_loss(logps, base, mask, torch.tensor([1.0, -2.0]), clip_eps=0.2)
    assert loss.item() == pytest.approx((-0.85 + 2.05) / 2, abs=1e-6)


def test_pg_k3_kl_term():
    # k3 = r - log r - 1 with r = p_base / p_theta: tokens r = 0.8 and r = 2.
    logps = torch.tensor([[L(0.5), L(0.25)]])
    base = torch.tensor([[L(0.4), L(0.5)]])
    mask = torch.ones(1, 2)
    kl = ((0.8 - L(0.8) - 1) + (2 - L(2) - 1)) / 2
    loss = pg_surrogate_loss(logps, base, mask, torch.tensor([1.0]), clip_eps=0.2, kl_beta=0.5)
    assert loss.item() == pytest.approx(-0.85 + 0.5 * kl, abs=1e-6)


def test_pg_first_step_is_reinforce():
    # At ratio 1 the gradient w.r.t. each completion token's log-prob is -A / (number of completion tokens) / B.
    base = torch.tensor([[-1.0, -2.0, -3.0], [-0.5, -0.7, 0.0]])
    logps = base.clone().requires_grad_(True)
    mask = torch.tensor([[0.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    pg_surrogate_loss(logps, base, mask, torch.tensor([3.0, -1.0]), clip_eps=0.2).backward()
    expected = torch.tensor([[0.0, -3.0 / 2 / 2, -3.0 / 2 / 2], [1.0 / 2 / 2, 1.0 / 2 / 2, 0.0]])
    assert torch.allclose(logps.grad, expected)


def test_plackett_luce_without_ties_is_listmle():
    s = torch.tensor([2.0, 1.0, 0.0])
    # -log[ e^2/(e^2+e+1) * e/(e+1) * 1 ]
    hand = L(math.e**2 + math.e + 1) - 2 + L(math.e + 1) - 1
    assert plackett_luce_nll(s, tie_blocks(3, None)).item() == pytest.approx(hand, abs=1e-6)


def test_plackett_luce_probabilities_of_all_orders_sum_to_one():
    s = torch.tensor([0.3, -1.2, 2.0, 0.5])
    total = sum(
        math.exp(-plackett_luce_nll(s[list(order)], tie_blocks(4, None)).item())
        for order in itertools.permutations(range(4))
    )
    assert total == pytest.approx(1.0, abs=1e-6)


def test_two_answers_is_the_dpo_logistic_loss():
    s = torch.tensor([0.3, -0.2])
    assert plackett_luce_nll(s, tie_blocks(2, None)).item() == pytest.approx(L(1 + math.exp(-0.5)), abs=1e-6)


def test_breslow_ties_share_one_risk_set():
    s = torch.tensor([2.0, 1.0, 0.0])
    # Block {0} against {0,1,2}; block {1,2}: both members against the same {1,2}.
    hand = -(2 - L(math.e**2 + math.e + 1)) - (1 - L(math.e + 1)) - (0 - L(math.e + 1))
    assert plackett_luce_nll(s, tie_blocks(3, [[1, 2]])).item() == pytest.approx(hand, abs=1e-6)
    # Symmetric inside the block: swapping the tied members changes nothing.
    swapped = torch.tensor([2.0, 0.0, 1.0])
    assert plackett_luce_nll(swapped, tie_blocks(3, [[1, 2]])).item() == pytest.approx(hand, abs=1e-6)
    # A tie at the top: both against all three, then {2} alone (term 0).
    top = -(2 - L(math.e**2 + math.e + 1)) - (1 - L(math.e**2 + math.e + 1))
    assert plackett_luce_nll(s, tie_blocks(3, [[0, 1]])).item() == pytest.approx(top, abs=1e-6)


def test_tie_blocks():
    assert tie_blocks(4, None) == [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert tie_blocks(5, [[3, 4], [0, 1]]) == [(0, 2), (2, 3), (3, 5)]
