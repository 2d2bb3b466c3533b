/** Stores a keystore password in the OS keyring after probing it; reports (never throws) when it cannot. */
export async function rememberPassword(account: string, password: string, warn: (m: string) => void): Promise<boolean> {
  const {probeKeyring, setKeyringPassword} = await import('../core/keys/keyring.js')
  const probe = await probeKeyring()
  if (probe.state !== 'available') {
    warn(`The OS keyring is ${probe.state}${probe.reason ? ` (${probe.reason})` : ''}: the password was not remembered. Use --password-file or ZG_PASSWORD instead.`)
    return false
  }
  await setKeyringPassword(account, password)
  return true
}
