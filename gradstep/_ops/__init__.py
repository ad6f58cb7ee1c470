"""Differentiable primitives, forward and backward side by side, grouped by kind."""
