// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Submission, SubmissionData, SubmissionNode, SubmissionRules} from "./Submission.sol";
import {FixedPriceMarket} from "./FixedPriceMarket.sol";

/// @dev Shape of 0G's `getContext()` result; the devnet has no mining, so only the flow fields are live.
struct MineContext {
    uint256 epoch;
    uint256 mineStart;
    bytes32 flowRoot;
    uint256 flowLength;
    bytes32 blockDigest;
    bytes32 digest;
}

/**
 * @title Flow: the 0G Storage log of submissions, for the zg devnet.
 * @notice Speaks the ABI of 0G's FixedPriceFlow (the SDK's `submit` 0xbc8c11f8, `batchSubmit`, `market()`, the
 * `Submit` event, `NotEnoughFee`) and places data in the flow exactly as the real contract does, so storage nodes
 * and clients see the same `startPos` values:
 *  - the flow starts at length 1 (sector 0 is reserved);
 *  - a submission starts at `alignUp(length, 2^h0)`; if that start is not on a 1024-sector segment boundary and
 *    the submission would cross one, it moves to the next segment boundary;
 *  - its nodes follow one another (heights descend, so each is aligned to its own size).
 * Fee: Σ 2^height × market.pricePerSector(). As in FixedPriceFlow, the check is against this contract's balance
 * (msg.value plus any earlier overpayment) and exactly the fee moves to the market; overpayment is not refunded,
 * it stays here and offsets later submissions. That also lets `batchSubmit` pay for all items with one value.
 * Mining/epochs are not modelled; the flow Merkle root is (getFlowRootByTxSeq, getContext().flowRoot).
 */
contract Flow {
    using SubmissionRules for Submission;

    uint256 private constant SECTORS_PER_SEGMENT = 1024;
    /// @dev keccak256 of the empty string: what 0G reports as block/context digest when there is none.
    bytes32 private constant EMPTY_HASH = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;
    /// @dev keccak256 of one all-zero 256-byte sector: the leaf of padding.
    bytes32 private constant ZERO_LEAF = 0xd397b3b043d87fcd6fad1291ff0bfd16401c274896d8c63a923727f077b8e0b5;

    address payable private immutable _market;
    uint256 private immutable _firstBlock;

    uint256 private _length;
    uint256 private _submissionIndex;
    /// @dev Frontier of the flow tree: `_branch[h]` is the last completed left subtree of height h.
    bytes32[80] private _branch;
    mapping(uint256 => bytes32) private _rootByTxSeq;

    event Submit(
        address indexed sender,
        bytes32 indexed identity,
        uint256 submissionIndex,
        uint256 startPos,
        uint256 length,
        SubmissionData submission
    );

    error InvalidSubmission();
    error NotEnoughFee(uint256 price, uint256 amount, uint256 paid);

    constructor(address payable market_) {
        _market = market_;
        _firstBlock = block.number;
        // Sector 0 is reserved; like 0G's flow its leaf is bytes32(0), so the initial root is zero.
        _branch[0] = bytes32(0);
        _length = 1;
    }

    function market() external view returns (address payable) {
        return _market;
    }

    function submissionIndex() external view returns (uint256) {
        return _submissionIndex;
    }

    function numSubmissions() external view returns (uint256) {
        return _submissionIndex;
    }

    function firstBlock() external view returns (uint256) {
        return _firstBlock;
    }

    /// @return currentLength the flow length in sectors; unstagedHeight the height of the flow tree + 1.
    function tree() external view returns (uint256 currentLength, uint256 unstagedHeight) {
        return (_length, _treeHeight(_length) + 1);
    }

    function getFlowRootByTxSeq(uint256 txSeq) external view returns (bytes32) {
        return _rootByTxSeq[txSeq];
    }

    function computeFlowRoot() external view returns (bytes32) {
        return _root(_length, _zeros());
    }

    function getContext() external view returns (MineContext memory) {
        return MineContext({
            epoch: 0,
            mineStart: _firstBlock,
            flowRoot: _root(_length, _zeros()),
            flowLength: _length,
            blockDigest: EMPTY_HASH,
            digest: EMPTY_HASH
        });
    }

    function submit(Submission memory submission)
        external
        payable
        returns (uint256 index, bytes32 digest, uint256 startIndex, uint256 length)
    {
        return _submit(submission);
    }

    function batchSubmit(Submission[] memory submissions)
        external
        payable
        returns (uint256[] memory indexes, bytes32[] memory digests, uint256[] memory startIndexes, uint256[] memory lengths)
    {
        uint256 n = submissions.length;
        indexes = new uint256[](n);
        digests = new bytes32[](n);
        startIndexes = new uint256[](n);
        lengths = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            (indexes[i], digests[i], startIndexes[i], lengths[i]) = _submit(submissions[i]);
        }
    }

    function _submit(Submission memory submission)
        private
        returns (uint256 index, bytes32 digest, uint256 startIndex, uint256 length)
    {
        if (!submission.isValid()) revert InvalidSubmission();
        length = submission.sectors();
        uint256 price = FixedPriceMarket(_market).pricePerSector();
        uint256 fee = length * price;
        uint256 paid = address(this).balance;
        if (fee > paid) revert NotEnoughFee(price, length, paid);

        uint256 previousLength = _length;
        bytes32[] memory zeros = _zeros();
        startIndex = _placement(previousLength, length, submission.data.nodes[0].height);
        // Fill the alignment gap with zero subtrees, then append the nodes, which are contiguous.
        _appendZeros(previousLength, startIndex, zeros);
        uint256 pos = startIndex;
        SubmissionNode[] memory nodes = submission.data.nodes;
        for (uint256 i = 0; i < nodes.length; i++) {
            _appendSubtree(pos, nodes[i].height, nodes[i].root);
            pos += uint256(1) << nodes[i].height;
        }
        _length = pos;

        index = _submissionIndex++;
        digest = submission.identity();
        _rootByTxSeq[index] = _root(pos, zeros);

        if (fee > 0) {
            (bool ok,) = _market.call{value: fee}("");
            require(ok, "Flow: fee transfer failed");
        }
        FixedPriceMarket(_market).chargeFee(previousLength, length, startIndex - previousLength);

        emit Submit(submission.submitter, digest, index, startIndex, length, submission.data);
    }

    /// @dev Where a submission of `sectors` whose first node has height `h0` starts, given the flow length.
    function _placement(uint256 currentLength, uint256 sectors, uint256 h0) private pure returns (uint256) {
        uint256 start = _alignUp(currentLength, h0);
        if (
            start % SECTORS_PER_SEGMENT != 0
                && start / SECTORS_PER_SEGMENT != (start + sectors - 1) / SECTORS_PER_SEGMENT
        ) {
            uint256 nextSegment = start - (start % SECTORS_PER_SEGMENT) + SECTORS_PER_SEGMENT;
            start = _alignUp(nextSegment, h0);
        }
        return start;
    }

    function _alignUp(uint256 x, uint256 exp) private pure returns (uint256) {
        uint256 mask = (uint256(1) << exp) - 1;
        return (x + mask) & ~mask;
    }

    /// @dev Appends the largest aligned all-zero subtrees that cover [from, to).
    function _appendZeros(uint256 from, uint256 to, bytes32[] memory zeros) private {
        uint256 pos = from;
        while (pos < to) {
            uint256 h = 0;
            while (h < 63 && pos % (uint256(1) << (h + 1)) == 0 && pos + (uint256(1) << (h + 1)) <= to) {
                h++;
            }
            _appendSubtree(pos, h, zeros[h]);
            pos += uint256(1) << h;
        }
    }

    /// @dev Appends a complete subtree of height h whose first leaf is at `pos` (aligned to 2^h, everything before
    /// it already appended): the incremental-Merkle frontier update of the Eth2 deposit contract, generalised to
    /// subtrees. Hand-written because no maintained library has an append-subtree incremental tree.
    function _appendSubtree(uint256 pos, uint256 h, bytes32 root) private {
        bytes32 node = root;
        for (uint256 i = h;; i++) {
            if ((pos >> i) & 1 == 0) {
                _branch[i] = node;
                return;
            }
            node = keccak256(abi.encodePacked(_branch[i], node));
        }
    }

    /// @dev Height of the smallest power-of-two tree holding n leaves.
    function _treeHeight(uint256 n) private pure returns (uint256 h) {
        while ((uint256(1) << h) < n) h++;
    }

    /// @dev Root of the flow tree over the first n leaves, the rest of the power-of-two tree being zero sectors.
    function _root(uint256 n, bytes32[] memory zeros) private view returns (bytes32) {
        uint256 height = _treeHeight(n);
        if (n == (uint256(1) << height)) return _branch[height];
        bytes32 node = zeros[0];
        for (uint256 i = 0; i < height; i++) {
            if ((n >> i) & 1 == 1) {
                node = keccak256(abi.encodePacked(_branch[i], node));
            } else {
                node = keccak256(abi.encodePacked(node, zeros[i]));
            }
        }
        return node;
    }

    /// @dev zeros[h] = root of an all-zero subtree of height h.
    function _zeros() private pure returns (bytes32[] memory zeros) {
        zeros = new bytes32[](80);
        zeros[0] = ZERO_LEAF;
        for (uint256 i = 1; i < 80; i++) {
            zeros[i] = keccak256(abi.encodePacked(zeros[i - 1], zeros[i - 1]));
        }
    }

    /// @dev Plain transfers would be lost as credit for a stranger's next submission; refuse them.
    receive() external payable {
        revert("Flow: send the fee with submit()");
    }
}
