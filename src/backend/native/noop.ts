// Outside Node (browsers, bundlers) "#native-loader" resolves here: the TypeScript backend is the
// only one, and nothing Node-specific is imported.
export const nativeAddon = null;
