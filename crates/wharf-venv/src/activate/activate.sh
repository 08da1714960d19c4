# Use this virtual environment in bash or zsh: `source __BIN__/activate`.
# `deactivate` puts the shell back the way it was. Written by wharf.

if [ "${BASH_SOURCE-}" = "$0" ]; then
    echo "activate must be sourced, not run: source $0" >&2
    exit 33
fi

deactivate () {
    if [ -n "${_WHARF_SAVED_PATH+x}" ]; then
        PATH="$_WHARF_SAVED_PATH"
        export PATH
        unset _WHARF_SAVED_PATH
    fi
    if [ -n "${_WHARF_SAVED_PYTHONHOME+x}" ]; then
        PYTHONHOME="$_WHARF_SAVED_PYTHONHOME"
        export PYTHONHOME
        unset _WHARF_SAVED_PYTHONHOME
    fi
    if [ -n "${_WHARF_SAVED_PS1+x}" ]; then
        PS1="$_WHARF_SAVED_PS1"
        export PS1
        unset _WHARF_SAVED_PS1
    fi
    unset VIRTUAL_ENV
    unset VIRTUAL_ENV_PROMPT
    # The shell remembers where it found commands; forget the venv's.
    hash -r 2>/dev/null
    if [ "${1-}" != "nondestructive" ]; then
        unset -f deactivate
    fi
}

# Leave any environment that is active, keeping the function defined.
deactivate nondestructive

VIRTUAL_ENV=__VIRTUAL_ENV__
export VIRTUAL_ENV

_WHARF_SAVED_PATH="$PATH"
PATH="$VIRTUAL_ENV/__BIN__:$PATH"
export PATH

VIRTUAL_ENV_PROMPT=__PROMPT__
export VIRTUAL_ENV_PROMPT

if [ -n "${PYTHONHOME+x}" ]; then
    _WHARF_SAVED_PYTHONHOME="$PYTHONHOME"
    unset PYTHONHOME
fi

if [ -z "${VIRTUAL_ENV_DISABLE_PROMPT-}" ]; then
    _WHARF_SAVED_PS1="${PS1-}"
    PS1="(${VIRTUAL_ENV_PROMPT}) ${PS1-}"
    export PS1
fi

hash -r 2>/dev/null
