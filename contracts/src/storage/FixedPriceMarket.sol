// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/**
 * @title FixedPriceMarket: the storage price list of the zg devnet.
 * @notice ABI-compatible with the parts of 0G's `FixedPrice` market that clients use (`pricePerSector()`,
 * `flow()`, `reward()`, `chargeFee`). On the real network fees go on to a reward pool for miners; the devnet has
 * no miners, so fees stay here and the owner can withdraw them.
 */
contract FixedPriceMarket is Ownable {
    uint256 public pricePerSector;
    address public immutable flow;
    /// @dev Kept for ABI compatibility; the devnet has no reward contract.
    address public constant reward = address(0);
    /// @notice Sectors charged so far (uploaded + alignment padding), for devnet statistics.
    uint256 public chargedSectors;

    event PricePerSectorUpdated(uint256 oldPrice, uint256 newPrice);

    error OnlyFlow(address caller);

    constructor(uint256 pricePerSector_, address flow_, address owner_) Ownable(owner_) {
        pricePerSector = pricePerSector_;
        flow = flow_;
    }

    function setPricePerSector(uint256 pricePerSector_) external onlyOwner {
        emit PricePerSectorUpdated(pricePerSector, pricePerSector_);
        pricePerSector = pricePerSector_;
    }

    /// @dev Called by the flow after it forwarded the fee; the signature is 0G's (beforeLength, uploadSectors, paddingSectors).
    function chargeFee(uint256, uint256 uploadSectors, uint256 paddingSectors) external {
        if (msg.sender != flow) revert OnlyFlow(msg.sender);
        chargedSectors += uploadSectors + paddingSectors;
    }

    function withdraw(address payable to, uint256 amount) external onlyOwner {
        (bool ok,) = to.call{value: amount}("");
        require(ok, "FixedPriceMarket: withdraw failed");
    }

    receive() external payable {
        if (msg.sender != flow) revert OnlyFlow(msg.sender);
    }
}
