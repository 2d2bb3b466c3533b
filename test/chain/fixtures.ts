import {createRequire} from 'node:module'
import {Interface} from 'ethers'

const require = createRequire(import.meta.url)

/** A tiny contract with one of each kind of revert, compiled at test time with the solc npm package. */
export const PROBE_SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Probe {
    error NotEnoughFee(uint256 price, uint256 amount, uint256 paid);
    event Stored(address indexed by, uint256 value);

    uint256 public value;

    function submit(uint256 amount) external payable {
        if (msg.value < amount * 10) revert NotEnoughFee(10, amount, msg.value);
        value = amount;
        emit Stored(msg.sender, amount);
    }

    function setPositive(uint256 v) external {
        require(v > 0, "value must be positive");
        value = v;
        emit Stored(msg.sender, v);
    }

    function ratio(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }

    function pair() external view returns (uint256, address) {
        return (value, msg.sender);
    }
}
`

export interface Compiled {
  iface: Interface
  bytecode: string
}

let cached: Compiled | undefined

export function compileProbe(): Compiled {
  if (cached) return cached
  const solc = require('solc') as {compile(input: string): string}
  const input = {
    language: 'Solidity',
    sources: {'Probe.sol': {content: PROBE_SOURCE}},
    settings: {evmVersion: 'cancun', outputSelection: {'*': {'*': ['abi', 'evm.bytecode.object']}}},
  }
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: {severity: string; formattedMessage: string}[]
    contracts: Record<string, Record<string, {abi: unknown[]; evm: {bytecode: {object: string}}}>>
  }
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const c = out.contracts['Probe.sol']!['Probe']!
  cached = {iface: new Interface(c.abi as never), bytecode: '0x' + c.evm.bytecode.object}
  return cached
}
