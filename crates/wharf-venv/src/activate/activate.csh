# Use this virtual environment in csh or tcsh: `source __BIN__/activate.csh`.
# `deactivate` puts the shell back the way it was. Written by wharf.
# csh substitutes variables in a one-line `if` before testing it, so the alias guards
# each step with `test ... &&` instead.

alias deactivate 'test $?_wharf_saved_path != 0 && setenv PATH "$_wharf_saved_path:q" && unset _wharf_saved_path; test $?_wharf_saved_prompt != 0 && set prompt="$_wharf_saved_prompt:q" && unset _wharf_saved_prompt; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; rehash; test "\!:*" != "nondestructive" && unalias deactivate'

# Leave any environment that is active, keeping the alias defined.
deactivate nondestructive

setenv VIRTUAL_ENV __VIRTUAL_ENV__
set _wharf_saved_path="$PATH:q"
setenv PATH "${VIRTUAL_ENV}/__BIN__:$PATH:q"
setenv VIRTUAL_ENV_PROMPT __PROMPT__

if ($?prompt) then
    if (! $?VIRTUAL_ENV_DISABLE_PROMPT) then
        set _wharf_saved_prompt="$prompt:q"
        set prompt = "(${VIRTUAL_ENV_PROMPT}) $prompt:q"
    endif
endif

rehash
