# Fleet (ansible/): included by the Makefile. `make deps` runs fleet-deps, `make test` runs fleet-test.
# The test needs Debian's sshd (started per namespace by the test, never as a service) and
# ansible-core from PyPI in a virtual environment built on Debian's own Python.
FLEET_APT_PACKAGES = openssh-server python3-venv
ANSIBLE_VENV ?= .build/ansible-venv
ANSIBLE_CORE = ansible-core>=2.17,<2.19

.PHONY: fleet-deps fleet-test

fleet-deps:
	@missing=""; for p in $(FLEET_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@if [ ! -x $(ANSIBLE_VENV)/bin/ansible-playbook ]; then \
		echo "creating $(ANSIBLE_VENV) with $(ANSIBLE_CORE)"; \
		/usr/bin/python3 -m venv $(ANSIBLE_VENV) && $(ANSIBLE_VENV)/bin/pip install -q '$(ANSIBLE_CORE)'; \
	fi

# Ansible over real SSH to three namespaced hosts (Tests/Fleet/ansible.sh): root only.
fleet-test: build
	@if [ "$$(id -u)" = 0 ]; then ./Tests/Fleet/ansible.sh $(BIN) $(ANSIBLE_VENV); \
	else echo "**************************************************************"; \
	     echo "*** SKIPPED: fleet test (Tests/Fleet/ansible.sh) needs root"; \
	     echo "**************************************************************"; fi
