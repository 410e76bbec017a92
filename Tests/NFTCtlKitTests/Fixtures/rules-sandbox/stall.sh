#!/bin/sh
# Stands in for `nftctl __sandbox`: never answers.
exec sleep 987653
