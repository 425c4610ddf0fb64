# SPDX-License-Identifier: BSD-3-Clause
# Sphinx configuration of the dpdk-extmem guides.

project = 'dpdk-extmem'
copyright = '2026, The dpdk-extmem authors'
author = 'The dpdk-extmem authors'
version = release = '0.1.0'
extensions = []
master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
highlight_language = 'none'
