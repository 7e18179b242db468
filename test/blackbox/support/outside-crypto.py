"""Verifies, signs and derives with Python's cryptography what the black-box tests hand it (JSON on stdin).

Each job is {"op": ..., ...hex fields}; the answer is one JSON list of results, in order. Used to check
byok-kms against an independent implementation, in both directions.
"""
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

HASHES = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}


def rsa_or_ec_args(algorithm, message_type):
    h = HASHES[algorithm[-3:]]
    chosen = utils.Prehashed(h) if message_type == "DIGEST" else h
    if algorithm.startswith("RSASSA_PSS"):
        return [padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), chosen]
    if algorithm.startswith("RSASSA_PKCS1"):
        return [padding.PKCS1v15(), chosen]
    return [ec.ECDSA(chosen)]


def verify(job):
    key = serialization.load_der_public_key(bytes.fromhex(job["publicKey"]))
    signature, message = bytes.fromhex(job["signature"]), bytes.fromhex(job["message"])
    algorithm = job["algorithm"]
    try:
        if algorithm in ("ED25519_SHA_512", "ML_DSA_SHAKE_256"):
            key.verify(signature, message)
        else:
            key.verify(signature, message, *rsa_or_ec_args(algorithm, job["messageType"]))
        return True
    except InvalidSignature:
        return False


def sign(job):
    key = serialization.load_der_private_key(bytes.fromhex(job["privateKey"]), password=None)
    message, algorithm = bytes.fromhex(job["message"]), job["algorithm"]
    if algorithm in ("ED25519_SHA_512", "ML_DSA_SHAKE_256"):
        return key.sign(message).hex()
    return key.sign(message, *rsa_or_ec_args(algorithm, job["messageType"])).hex()


def derive(job):
    key = serialization.load_der_private_key(bytes.fromhex(job["privateKey"]), password=None)
    peer = serialization.load_der_public_key(bytes.fromhex(job["publicKey"]))
    return key.exchange(ec.ECDH(), peer).hex()


def public_key(job):
    key = serialization.load_der_private_key(bytes.fromhex(job["privateKey"]), password=None)
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo).hex()


OPS = {"verify": verify, "sign": sign, "derive": derive, "publicKey": public_key}
print(json.dumps([OPS[job["op"]](job) for job in json.load(sys.stdin)]))
