/** ASCII control characters (C0 and DEL): never part of an identifier or a name. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const controlCharacter = /[\u0000-\u001f\u007f]/;
