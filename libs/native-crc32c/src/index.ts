// A face of its own so Node tools (the CLI, the bench) get the native CRC without loading the broker runtime.
export { installNativeCrc32c } from './native-crc32c';
