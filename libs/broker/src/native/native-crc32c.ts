// Kept so the broker barrel still offers it; the implementation lives in @tributary/native-crc32c.
export { installNativeCrc32c } from '@tributary/native-crc32c';
