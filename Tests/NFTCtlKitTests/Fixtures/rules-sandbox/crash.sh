#!/bin/sh
# Stands in for `nftctl __sandbox`: dies by SIGSEGV.
kill -SEGV $$
