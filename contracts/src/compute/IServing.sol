// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice What the LedgerManager calls on a serving contract (inference, fine-tuning) to manage sub-accounts.
interface IServing {
    function accountExists(address user, address provider) external view returns (bool);

    function getPendingRefund(address user, address provider) external view returns (uint256);

    function addAccount(address user, address provider, string memory additionalInfo) external payable;

    function depositFund(address user, address provider, uint256 cancelRetrievingAmount) external payable;

    function requestRefundAll(address user, address provider) external;

    function processRefund(address user, address provider)
        external
        returns (uint256 totalAmount, uint256 balance, uint256 pendingRefund);

    function deleteAccount(address user, address provider) external;
}

/// @notice What a serving contract calls on the LedgerManager when a provider settles fees.
interface ILedger {
    function spendFund(address user, uint256 amount) external;

    function depositFundFor(address recipient) external payable;
}
