"""A local S3 server (moto) holding a copy of a folder, for the tests of `--tables s3://...`.

usage: s3_server.py FOLDER BUCKET PREFIX

Starts the server on a free loopback port, creates BUCKET, uploads every file below FOLDER to
PREFIX/<its path below FOLDER>, prints the endpoint URL on one line and serves until stdin is
closed.
"""

import logging
import os
import sys

import boto3
from moto.server import ThreadedMotoServer


def main():
    folder, bucket, prefix = sys.argv[1:4]
    # Not a line per request on the test's output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    s3.create_bucket(Bucket=bucket)
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            key = f"{prefix}/{os.path.relpath(path, folder)}"
            s3.upload_file(path, bucket, key)
    print(endpoint, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
