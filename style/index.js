import './base.css';
import './extra.css';
import './snapshot.css';
import './untrusted.css';
