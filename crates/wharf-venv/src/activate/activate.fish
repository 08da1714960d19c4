# Use this virtual environment in fish: `source __BIN__/activate.fish`.
# `deactivate` puts the shell back the way it was. Written by wharf.

function deactivate --description "Leave the virtual environment"
    if set -q _wharf_saved_path
        set -gx PATH $_wharf_saved_path
        set -e _wharf_saved_path
    end
    if set -q _wharf_saved_pythonhome
        set -gx PYTHONHOME $_wharf_saved_pythonhome
        set -e _wharf_saved_pythonhome
    end
    if functions -q _wharf_saved_fish_prompt
        functions -e fish_prompt
        functions -c _wharf_saved_fish_prompt fish_prompt
        functions -e _wharf_saved_fish_prompt
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != nondestructive
        functions -e deactivate
    end
end

# Leave any environment that is active, keeping the function defined.
deactivate nondestructive

set -gx VIRTUAL_ENV __VIRTUAL_ENV__
set -g _wharf_saved_path $PATH
set -gx PATH "$VIRTUAL_ENV/__BIN__" $PATH
set -gx VIRTUAL_ENV_PROMPT __PROMPT__

if set -q PYTHONHOME
    set -g _wharf_saved_pythonhome $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"; and functions -q fish_prompt
    functions -c fish_prompt _wharf_saved_fish_prompt
    function fish_prompt
        # Keep the last command's status visible to the original prompt.
        set -l last_status $status
        printf '(%s) ' $VIRTUAL_ENV_PROMPT
        function _wharf_with_status
            return $argv[1]
        end
        _wharf_with_status $last_status
        _wharf_saved_fish_prompt
    end
end
