import NFTCtlKit
print("nftctl")
