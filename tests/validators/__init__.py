"""Tests that check the product's files with the real tools: promtool, nginx, Postgres, the query grammars, checkov."""
