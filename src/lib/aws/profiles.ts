/**
 * Whether a named profile exists in the shared AWS config or credentials file.
 * The SDK only says "Could not load credentials from any providers" for a
 * missing profile; this lets the error name the real cause.
 */
export async function profileExists(profile: string): Promise<boolean> {
  const {loadSharedConfigFiles} = await import('@smithy/shared-ini-file-loader')
  const {configFile, credentialsFile} = await loadSharedConfigFiles({ignoreCache: true})
  return profile in configFile || profile in credentialsFile
}
