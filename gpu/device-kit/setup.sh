# Sourced by the device kit's run scripts: unpacks Node (and the Vulkan loader where the system
# has none) into a temporary folder, points Vulkan at the NVIDIA driver's ICD under
# /usr/local/nvidia when the loader would not find it, and sets kit, out and node for the caller.
kit="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$PWD}"
work="$(mktemp -d)"
xz -dc "$kit/node.xz" >"$work/node"
chmod +x "$work/node"
node="$work/node"
if ! { PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; }; then
  dpkg -x "$kit"/libvulkan1_*.deb "$work/vulkan"
  export LD_LIBRARY_PATH="$work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ] && ! ls /usr/share/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES="$nvidia_icd"
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$work}"
