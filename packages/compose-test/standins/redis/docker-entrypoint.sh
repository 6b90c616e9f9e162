#!/bin/sh
# Entry point of the redis stand-in, following the official image's contract (written anew):
#   - a first argument that is an option (--appendonly ...) or a *.conf file means
#     `redis-server <arguments>`;
#   - `redis-server` started as root: chown what is not redis's in the working directory
#     (/data), then run again as the redis user through gosu;
#   - umask 0077 when the umask is still Docker's 0022.
# One addition: the official image's redis-server is built with protected mode off by default;
# Debian's is not, so `--protected-mode no` is appended unless the command line or the given
# config file sets protected-mode itself (the official default, without patching Redis).
set -e

case $1 in
  -*) set -- redis-server "$@" ;;
  *.conf) set -- redis-server "$@" ;;
esac

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . ! -user redis -exec chown redis {} +
  exec gosu redis "$0" "$@"
fi

if [ "$1" = redis-server ]; then
  sets_protected_mode=
  for arg in "$@"; do
    case $arg in
      --protected-mode | --protected-mode=*) sets_protected_mode=yes ;;
    esac
  done
  # A config file is the first argument after redis-server when it does not start with '-'.
  if [ -z "$sets_protected_mode" ] && [ $# -ge 2 ] && [ "${2#-}" = "$2" ] && [ -r "$2" ] &&
    grep -qiE '^[[:space:]]*protected-mode[[:space:]]' "$2"; then
    sets_protected_mode=yes
  fi
  if [ -z "$sets_protected_mode" ]; then
    set -- "$@" --protected-mode no
  fi
fi

if [ "$(umask)" = 0022 ]; then
  umask 0077
fi

exec "$@"
