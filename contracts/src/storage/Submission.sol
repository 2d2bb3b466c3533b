// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @dev Wire shapes of 0G Storage's Flow contract (the ABI the official SDKs encode since 2026: selector 0xbc8c11f8).
struct SubmissionNode {
    bytes32 root;
    uint256 height;
}

struct SubmissionData {
    uint256 length;
    bytes tags;
    SubmissionNode[] nodes;
}

struct Submission {
    SubmissionData data;
    address submitter;
}

/// @notice Validity, size and identity of a submission, with the rules of 0G Storage's contracts.
library SubmissionRules {
    uint256 internal constant BYTES_PER_SECTOR = 256;
    uint256 internal constant MAX_DEPTH = 64;
    /// @dev A file is split into at most 4 power-of-two nodes, because padding rounds it to a multiple of np2/16.
    uint256 internal constant MAX_NODES_LOG = 4;

    /// @return total Σ 2^height over the nodes: the padded size in 256-byte sectors (what is charged).
    function sectors(Submission memory s) internal pure returns (uint256 total) {
        SubmissionNode[] memory nodes = s.data.nodes;
        for (uint256 i = 0; i < nodes.length; i++) {
            total += uint256(1) << nodes[i].height;
        }
    }

    /**
     * @notice The rules that force a submission to use exactly the client-side padding: nodes non-empty with
     * strictly descending heights, h0 - hLast < 4, h0 < 64, the byte length fits the capacity, and the capacity is
     * not over-padded (the length must exceed what a smaller valid padding could hold).
     */
    function isValid(Submission memory s) internal pure returns (bool) {
        if (s.submitter == address(0)) return false;
        SubmissionNode[] memory nodes = s.data.nodes;
        uint256 n = nodes.length;
        if (n == 0) return false;
        uint256 h0 = nodes[0].height;
        if (h0 >= MAX_DEPTH) return false;
        for (uint256 i = 1; i < n; i++) {
            if (nodes[i].height >= nodes[i - 1].height) return false;
        }
        // Heights are strictly descending, so h0 >= hLast and this cannot underflow.
        if (h0 - nodes[n - 1].height >= MAX_NODES_LOG) return false;

        uint256 capacity = sectors(s);
        uint256 length = s.data.length;
        if (length > capacity * BYTES_PER_SECTOR) return false;

        // The largest capacity the next-smaller valid padding would have had.
        uint256 lastCapacity;
        if (capacity < (uint256(1) << MAX_NODES_LOG)) {
            lastCapacity = capacity - 1;
        } else if (n == 1) {
            lastCapacity = capacity - (capacity >> MAX_NODES_LOG);
        } else {
            lastCapacity = capacity - (uint256(1) << (h0 - MAX_NODES_LOG + 1));
        }
        return length > lastCapacity * BYTES_PER_SECTOR;
    }

    /// @return The `identity` of the Submit event: keccak256 of the packed node roots (not the file root).
    function identity(Submission memory s) internal pure returns (bytes32) {
        SubmissionNode[] memory nodes = s.data.nodes;
        bytes32[] memory roots = new bytes32[](nodes.length);
        for (uint256 i = 0; i < nodes.length; i++) {
            roots[i] = nodes[i].root;
        }
        return keccak256(abi.encodePacked(roots));
    }
}
